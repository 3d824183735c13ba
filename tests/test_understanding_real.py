"""Understanding measured on real published news (``../shared/corpus/real-news.jsonl``).

The corpus is third-party text kept beside the repository, never in it; these tests read it
from there (or ``$SISTERCITY_REAL_CORPUS``), skip on a fresh clone without it and must run in CI.
Only the frozen part is scored here: the tuning part is for development.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.understanding.evaluate import RealFigures, evaluate_rows
from crawler.understanding.realcorpus import (
    committed_split,
    corpus_path,
    load_rows,
    make_split,
    part_rows,
)
from tests.conftest import require

# What the frozen part measures today, less a small margin: a regression fails CI.
FLOORS = {"story_f1": 0.84, "pair_precision": 0.66, "pair_recall": 0.39, "event_accuracy": 0.64}
LANGUAGE_F1_FLOOR = 0.80


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    path = corpus_path()
    require(path is not None, "the real-news corpus (../shared/corpus/real-news.jsonl)")
    assert path is not None
    return load_rows(Path(path))


@pytest.fixture(scope="module")
def frozen(rows: list[dict]) -> RealFigures:
    return evaluate_rows(list(part_rows(rows, "frozen")))


def test_the_committed_split_is_the_seeded_stratified_one(rows: list[dict]) -> None:
    split = committed_split()
    assert split == make_split(rows)
    assert not set(split["tuning"]) & set(split["frozen"])
    assert set(split["tuning"]) | set(split["frozen"]) == {r["id"] for r in rows}
    # Every language and label is in both parts.
    groups = {(r["lang"], r["is_partnership_story"]): r["id"] for r in rows}
    for part in split.values():
        kinds = {(r["lang"], r["is_partnership_story"]) for r in rows if r["id"] in set(part)}
        assert kinds == set(groups)


def test_no_story_crashes(frozen: RealFigures) -> None:
    assert frozen.overall.crashes == 0, frozen.overall.mistakes


def test_frozen_part_stays_above_todays_figures(frozen: RealFigures) -> None:
    f = frozen.overall
    for measure, floor in FLOORS.items():
        assert getattr(f, measure) >= floor, (measure, frozen.table())
    for lang, figures in frozen.languages.items():
        assert figures.story_f1 >= LANGUAGE_F1_FLOOR, (lang, frozen.table())


def test_the_shipped_relevance_model_is_what_training_gives(rows: list[dict]) -> None:
    import numpy as np

    from crawler.understanding import relevance, train_relevance

    path = corpus_path()
    assert path is not None
    coef, intercept = train_relevance.fit(*train_relevance.training_data(Path(path)))
    shipped_coef, shipped_intercept = relevance._weights()
    assert np.array_equal(coef.astype(np.float16).astype(np.float64), shipped_coef)
    assert intercept == pytest.approx(shipped_intercept)
