"""The quality gate on the labelled corpus (tests/resources/corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.understanding.evaluate import Figures, evaluate

CORPUS = Path(__file__).parent / "resources" / "corpus"


@pytest.fixture(scope="module")
def figures() -> Figures:
    return evaluate(CORPUS)


def test_corpus_is_large_enough(figures: Figures) -> None:
    assert figures.stories >= 80


def test_story_f1(figures: Figures) -> None:
    assert figures.story_f1 >= 0.95, figures.mistakes


def test_pair_precision(figures: Figures) -> None:
    assert figures.pair_precision >= 0.95, figures.mistakes


def test_pair_recall(figures: Figures) -> None:
    assert figures.pair_recall >= 0.90, figures.mistakes


def test_event_accuracy(figures: Figures) -> None:
    assert figures.event_accuracy >= 0.85, figures.mistakes
