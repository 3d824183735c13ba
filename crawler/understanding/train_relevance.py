"""Train the story verdict: ``python -m crawler.understanding.train_relevance [--jsonl PATH]``.

Data: the tuning part of the real-news corpus (never the frozen part) and the synthetic corpus
in tests/resources/corpus; each story is read by the rules first (``extract.analyse``) for its
evidence. Liblinear with a fixed seed is deterministic: the same data give the same weights.
Writes ``crawler/understanding/data/relevance.npz``.

``--cv`` chooses the settings honestly instead: repeated stratified k-fold cross-validation
inside the tuning part (folds stratified by language and label; the synthetic corpus is always
training data, never scored), printing the cross-validated story F1 overall and per language of
every candidate, the rules alone first.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from crawler.understanding import relevance
from crawler.understanding.evaluate import load_corpus, story_of
from crawler.understanding.realcorpus import corpus_path, load_rows, part_rows, story_of_row
from crawler.understanding.relevance import Evidence

SYNTHETIC = Path(__file__).resolve().parents[2] / "tests" / "resources" / "corpus"
OUT = Path(__file__).resolve().parent / relevance.MODEL_FILE
SEED = 8
FOLDS = 5
REPEATS = 2


@dataclass(frozen=True)
class Choice:
    """One candidate setting of the model."""

    C: float
    ngrams: tuple[int, int]
    max_chars: int
    balanced: bool
    uses_evidence: bool
    rules_weight: float = 0.0  # share of the hand-set rules' confidence in the blend
    threshold: float = 0.5

    def label(self) -> str:
        weights = "balanced" if self.balanced else "equal"
        inputs = "n-grams+evidence" if self.uses_evidence else "n-grams"
        low, high = self.ngrams
        return (
            f"{inputs:16} C={self.C:<5g} ngrams={low}-{high} chars={self.max_chars:<5} "
            f"{weights:8} rules={self.rules_weight:.2f} threshold={self.threshold:.2f}"
        )


# Chosen by ``--cv``: the best cross-validated story F1 (see docs/understanding.md).
CHOSEN = Choice(
    C=64.0,
    ngrams=(2, 4),
    max_chars=4000,
    balanced=True,
    uses_evidence=False,
    rules_weight=0.5,
    threshold=0.5,
)


@dataclass(frozen=True)
class Example:
    text: str
    evidence: Evidence
    label: int
    lang: str | None  # None for the synthetic corpus: trained on, never scored


def _evidence(story: Any) -> Evidence:
    from crawler.understanding.extract import analyse

    return analyse(story)["evidence"]


def real_examples(jsonl: Path) -> list[Example]:
    """The tuning part of the real-news corpus, never the frozen part."""
    out = []
    for item in part_rows(load_rows(jsonl), "tuning"):
        story = story_of_row(item)
        text = relevance.story_text(story.title, story.body)
        label = int(bool(item["is_partnership_story"]))
        out.append(Example(text, _evidence(story), label, item["lang"]))
    return out


def synthetic_examples(synthetic: Path = SYNTHETIC) -> list[Example]:
    out = []
    for key, case in load_corpus(synthetic):
        story = story_of(key, case)
        text = relevance.story_text(story.title, story.body)
        out.append(Example(text, _evidence(story), int(bool(case["partnership"])), None))
    return out


def training_data(jsonl: Path, synthetic: Path = SYNTHETIC) -> tuple[list[Example], list[int]]:
    found = real_examples(jsonl) + synthetic_examples(synthetic)
    return found, [e.label for e in found]


def design(found: list[Example], choice: Choice) -> Any:
    """The training matrix (scipy sparse), one row per story."""
    from scipy.sparse import csr_matrix

    width = relevance.N_FEATURES + (relevance.N_EVIDENCE if choice.uses_evidence else 0)
    rows, cols, values = [], [], []
    for r, e in enumerate(found):
        evidence = e.evidence if choice.uses_evidence else None
        for c, v in relevance.row(e.text, evidence, choice.ngrams, choice.max_chars).items():
            rows.append(r)
            cols.append(c)
            values.append(v)
    return csr_matrix((values, (rows, cols)), shape=(len(found), width))


def _fit_matrix(x: Any, labels: Sequence[int], choice: Choice) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=choice.C,
        solver="liblinear",
        class_weight="balanced" if choice.balanced else None,
        random_state=SEED,
    )
    used = np.unique(x.nonzero()[1])  # columns no story touches keep weight 0; skip them
    model.fit(x[:, used], list(labels))
    coef = np.zeros(x.shape[1])
    coef[used] = model.coef_[0]
    return coef, float(model.intercept_[0])


def fit(
    found: list[Example], labels: list[int], choice: Choice = CHOSEN
) -> tuple[np.ndarray, float]:
    return _fit_matrix(design(found, choice), labels, choice)


def save(out: Path, coef: np.ndarray, intercept: float, choice: Choice = CHOSEN) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        coef=coef.astype(np.float16),
        intercept=np.float64(intercept),
        ngrams=np.array(choice.ngrams, dtype=np.int16),
        max_chars=np.int32(choice.max_chars),
        threshold=np.float64(choice.threshold),
        rules_weight=np.float64(choice.rules_weight),
    )


# --- cross-validation ----------------------------------------------------------------------
def folds(found: list[Example], k: int, seed: int) -> list[int]:
    """A fold number for each scored story: within each (language, label) group a seeded
    shuffle dealt round-robin, so every fold holds each language and label in proportion."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, e in enumerate(found):
        if e.lang is not None:
            groups[(e.lang, e.label)].append(i)
    fold = [-1] * len(found)
    rng = random.Random(seed)
    start = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for j, i in enumerate(members):
            fold[i] = (start + j) % k
        start += len(members)  # carry on the round so small groups do not pile into fold 0
    return fold


_DESIGNS: dict[tuple, Any] = {}  # the same matrix serves every C, class weight and threshold


def out_of_fold(found: list[Example], choice: Choice, k: int, seed: int) -> list[float | None]:
    """Each scored story's probability from a model trained without its fold."""
    key = (id(found), choice.ngrams, choice.max_chars, choice.uses_evidence)
    if key not in _DESIGNS:
        _DESIGNS[key] = design(found, choice)
    x = _DESIGNS[key]
    labels = np.array([e.label for e in found])
    fold = np.array(folds(found, k, seed))
    probs: list[float | None] = [None] * len(found)
    for f in range(k):
        train = fold != f
        coef, intercept = _fit_matrix(x[train], labels[train], choice)
        for i in np.flatnonzero(fold == f):
            score = intercept + x[i].dot(coef)[0]
            probs[i] = 1.0 / (1.0 + np.exp(-score))
    return probs


def f1(pairs: list[tuple[bool, bool]]) -> float:
    tp = sum(1 for want, got in pairs if want and got)
    wrong = sum(1 for want, got in pairs if want != got)
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def scores(found: list[Example], verdicts: list[bool | None]) -> dict[str, float]:
    """Story F1 overall and per language over the scored stories."""
    by: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for e, got in zip(found, verdicts, strict=True):
        if e.lang is None or got is None:
            continue
        for name in ("all", e.lang):
            by[name].append((bool(e.label), got))
    return {name: f1(pairs) for name, pairs in sorted(by.items())}


def mean_scores(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: float(np.mean([r[name] for r in runs])) for name in runs[0]}


def cross_validate(
    found: list[Example], choice: Choice, k: int = FOLDS, repeats: int = REPEATS
) -> dict[float, dict[str, float]]:
    """Mean cross-validated story F1 (overall, per language) at each candidate blend with the
    rules and threshold."""
    rules = [e.evidence.rules_confidence()[1] for e in found]
    runs: dict[tuple[float, float], list[dict[str, float]]] = defaultdict(list)
    for repeat in range(repeats):
        probs = out_of_fold(found, choice, k, SEED + repeat)
        for w, t in itertools.product(RULES_WEIGHTS, THRESHOLDS):
            verdicts = [
                None if p is None else w * r + (1 - w) * p >= t
                for p, r in zip(probs, rules, strict=True)
            ]
            runs[(w, t)].append(scores(found, verdicts))
    return {key: mean_scores(r) for key, r in runs.items()}


THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
RULES_WEIGHTS = (0.0, 0.25, 0.5, 0.75)


def _candidates() -> list[Choice]:
    """The wording model at a few strengths and n-gram ranges (blended with the rules at every
    weight and threshold by ``cross_validate``), one setting each of more characters and equal
    class weights, and the evidence as extra columns of the one regression instead of a blend."""
    base = Choice(C=64.0, ngrams=(2, 4), max_chars=1500, balanced=True, uses_evidence=False)
    grid = [
        replace(base, C=c, ngrams=n)
        for c, n in itertools.product((4.0, 16.0, 64.0), ((1, 3), (2, 4)))
    ]
    return [
        *grid,
        replace(base, max_chars=4000),
        replace(base, balanced=False),
        replace(base, uses_evidence=True),
    ]


def _line(name: str, figures: dict[str, float]) -> str:
    langs = " ".join(f"{k} {v:.3f}" for k, v in figures.items() if k != "all")
    return f"{figures['all']:.3f}  ({langs})  {name}"


def cv_report(found: list[Example]) -> Choice:
    """Print every candidate's cross-validated F1; return the best (overall F1, then the worst
    language's, then the simplest: smaller C, fewer characters)."""
    rules = scores(found, [e.evidence.rules_confidence()[0] for e in found])
    print(_line("rules alone (no training)", rules))
    best: tuple[tuple, Choice] | None = None
    for choice in _candidates():
        for (w, t), figures in cross_validate(found, choice).items():
            candidate = replace(choice, rules_weight=w, threshold=t)
            print(_line(candidate.label(), figures), flush=True)
            langs = [v for k, v in figures.items() if k != "all"]
            rank = (round(figures["all"], 3), round(min(langs), 3), -choice.C, -choice.max_chars)
            if best is None or rank > best[0]:
                best = (rank, candidate)
    assert best is not None
    print(f"best: {best[1].label()}")
    print(f"chosen (CHOSEN): {CHOSEN.label()}")
    print(
        _line(
            "chosen, cross-validated",
            cross_validate(found, CHOSEN)[(CHOSEN.rules_weight, CHOSEN.threshold)],
        )
    )
    return best[1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jsonl", type=Path, default=corpus_path())
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--cv", action="store_true", help="cross-validate the candidate settings; write nothing"
    )
    args = parser.parse_args(argv)
    if args.jsonl is None or not args.jsonl.is_file():
        print("train_relevance: real-news corpus not found", file=sys.stderr)
        return 2
    found, labels = training_data(args.jsonl)
    if args.cv:
        cv_report(found)
        return 0
    coef, intercept = fit(found, labels)
    save(args.out, coef, intercept)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
