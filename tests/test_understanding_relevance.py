"""The story verdict's model: reproducible training, no story text in the shipped weights, the
rules' evidence weighed, and cross-validation that never scores a story with a model that saw it.
These run on the synthetic corpus and made-up texts; the real-corpus check of the shipped weights
is in test_understanding_real.py."""

from __future__ import annotations

import random
from dataclasses import replace
from importlib import resources

import numpy as np
import pytest

from crawler.understanding import relevance, train_relevance
from crawler.understanding.relevance import Evidence
from crawler.understanding.train_relevance import Choice, Example

NOTHING = Evidence(False, False, False, False, 0, 0)
STRONG = Evidence(True, True, True, False, 3, 2)
SMALL = Choice(C=4.0, ngrams=(2, 4), max_chars=1500, balanced=True, uses_evidence=True)


@pytest.fixture(scope="module")
def synthetic() -> list[Example]:
    return train_relevance.synthetic_examples()


def test_training_twice_gives_the_same_weights(synthetic: list[Example]) -> None:
    labels = [e.label for e in synthetic]
    first = train_relevance.fit(synthetic, labels, SMALL)
    second = train_relevance.fit(list(synthetic), list(labels), SMALL)
    assert np.array_equal(first[0], second[0])
    assert first[1] == second[1]
    assert np.count_nonzero(first[0]) > 100  # it learned something from the wording


def test_the_shipped_model_holds_numbers_only() -> None:
    path = resources.files("crawler.understanding").joinpath(relevance.MODEL_FILE)
    with path.open("rb") as fh:
        data = np.load(fh, allow_pickle=False)
        assert set(data.files) == {
            "coef",
            "intercept",
            "ngrams",
            "max_chars",
            "threshold",
            "rules_weight",
        }
        assert all(data[name].dtype.kind in "fiu" for name in data.files)
        # hashed columns (and, for a model that reads it, the evidence after them): no
        # vocabulary to hold words
        assert data["coef"].shape[0] in {
            relevance.N_FEATURES,
            relevance.N_FEATURES + relevance.N_EVIDENCE,
        }
    assert path.stat().st_size < 400_000


def test_the_rules_evidence_moves_the_verdict() -> None:
    text = "The mayor opened a new bridge over the river on Monday."
    weak = relevance.verdict(NOTHING, text)
    strong = relevance.verdict(STRONG, text)
    assert strong[1] > weak[1]
    assert strong[0]
    assert not weak[0]


def test_evidence_columns_follow_the_hashed_ones(synthetic: list[Example]) -> None:
    """A model that reads the evidence learns from it: a pair with an event counts for."""
    coef, _ = train_relevance.fit(synthetic, [e.label for e in synthetic], SMALL)
    assert coef.shape == (relevance.N_FEATURES + relevance.N_EVIDENCE,)
    assert coef[relevance.N_FEATURES] > 0  # "acting": a pair with an event


def test_without_a_model_the_rules_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relevance, "_weights", lambda: None)
    assert relevance.verdict(STRONG, "anything") == STRONG.rules_confidence()
    assert relevance.verdict(NOTHING, "anything") == NOTHING.rules_confidence()
    assert not NOTHING.rules_confidence()[0]


def _random_stories(count: int, seed: int) -> list[Example]:
    """Stories of made-up words, each unlike every other, with labels that no text predicts."""
    rng = random.Random(seed)
    letters = "bcdfghjklmnpqrstvwxz"
    out = []
    for i in range(count):
        words = ["".join(rng.choices(letters, k=7)) for _ in range(30)]
        out.append(Example(" ".join(words), NOTHING, i % 2, ("en", "ko", "zh")[i % 3]))
    return out


def test_folds_keep_language_and_label_in_proportion() -> None:
    stories = _random_stories(60, seed=1)
    fold = train_relevance.folds(stories, k=5, seed=8)
    for f in range(5):
        held = [e for e, n in zip(stories, fold, strict=True) if n == f]
        groups = {(e.lang, e.label) for e in held}
        assert len(held) == 12 and len(groups) == 6


def test_cross_validation_scores_only_unseen_stories() -> None:
    """A model memorises random labels of stories it saw (in-sample F1 near 1); scored out of
    fold it can only guess, so a leak from training into scoring would show as a high F1."""
    stories = _random_stories(60, seed=2)
    wording = replace(SMALL, C=1000.0, uses_evidence=False)
    coef, intercept = train_relevance.fit(stories, [e.label for e in stories], wording)
    x = train_relevance.design(stories, wording)
    seen = [bool(intercept + x[i].dot(coef)[0] >= 0) for i in range(len(stories))]
    assert train_relevance.scores(stories, seen)["all"] > 0.95
    figures = train_relevance.cross_validate(stories, wording, k=5, repeats=1)
    assert set(figures[(0.0, 0.5)]) == {"all", "en", "ko", "zh"}
    assert figures[(0.0, 0.5)]["all"] < 0.8
