"""The story verdict: is this story about a city partnership?

Two views of a story, blended. The rules' evidence (``Evidence``: a pair with an event, any pair,
a relation term in the title, a network size, how many sentences carry a relation term, how many
places), turned into a confidence by hand-set weights. And a logistic regression over the
story's wording: character n-grams within word bounds, hashed (CRC-32) into ``N_FEATURES``
columns, which catch what the rules miss when the places are unknown ("forged a sisterhood",
"자매결연 협정", "缔结友好城市关系"). The regression can also take the evidence as extra columns
after the hashed ones; cross-validation preferred the blend.

Trained by ``python -m crawler.understanding.train_relevance`` (scikit-learn) on the tuning part
of the real-news corpus and the synthetic corpus; its settings (n-gram range, characters read,
C, class weights, the rules' share, the threshold) were chosen by cross-validated story F1
(``train_relevance --cv``). The weights and settings ship as ``data/relevance.npz``: hashing
keeps no vocabulary, so the file holds no text of the stories. Scoring needs only numpy.
"""

from __future__ import annotations

import math
import zlib
from array import array
from collections import Counter
from dataclasses import astuple, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

N_FEATURES = 2**16
NGRAMS = (2, 4)  # defaults for training; the shipped model carries its own
MAX_CHARS = 1500
MODEL_FILE = "data/relevance.npz"


@dataclass(frozen=True)
class Evidence:
    """What the rules found in a story, as the verdict weighs it."""

    acting: bool  # a pair with an event other than "mentioned"
    paired: bool  # any pair
    title_cue: bool  # a relation term in the title
    networks: bool  # "has N sister cities"
    cue_sentences: int  # sentences with a relation term
    places: int  # distinct places resolved

    def columns(self) -> list[float]:
        """Each value in [0, 1]: counts are capped where more stops saying more."""
        acting, paired, title_cue, networks, cues, places = astuple(self)
        return [
            float(acting),
            float(paired),
            float(title_cue),
            float(networks),
            min(cues, 4) / 4,
            min(places, 6) / 6,
        ]

    def rules_confidence(self) -> tuple[bool, float]:
        """The hand-set rule verdict, used when no model is shipped."""
        score = (
            -2.0
            + 2.5 * self.acting
            + 1.0 * self.paired
            + 1.5 * self.title_cue
            + 2.0 * self.networks
            + 0.5 * min(self.cue_sentences, 4)
        )
        is_story = self.acting or self.networks or (self.title_cue and self.paired)
        confidence = 1 / (1 + math.exp(-score))
        return is_story, confidence if is_story else min(confidence, 0.49)


N_EVIDENCE = len(Evidence(False, False, False, False, 0, 0).columns())


def features(text: str, ngrams: tuple[int, int] = NGRAMS) -> dict[int, float]:
    """Character n-grams within word bounds (each word padded with a space, as scikit-learn's
    ``char_wb``), hashed with CRC-32 into ``N_FEATURES`` columns, L2-normalised. Plain Python:
    no library is imported to score a story."""
    counts: Counter[int] = Counter()
    for word in text.casefold().split():
        counts.update(_word_columns(word, ngrams))
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {k: v / norm for k, v in counts.items()}


# Machine integers: 65,536 words cached as tuples of Python ints held about 60 MB, this 12.
@lru_cache(maxsize=2**15)
def _word_columns(word: str, ngrams: tuple[int, int]) -> array[int]:
    """The hashed n-gram columns of one word; words repeat, so each is hashed once."""
    padded = f" {word} "
    low, high = ngrams
    return array(
        "I",
        (
            zlib.crc32(padded[i : i + n].encode("utf-8")) % N_FEATURES
            for n in range(low, min(high, len(padded)) + 1)
            for i in range(len(padded) - n + 1)
        ),
    )


def row(
    text: str, evidence: Evidence | None, ngrams: tuple[int, int], max_chars: int
) -> dict[int, float]:
    """One story's input: its wording's n-grams, then (when given) the evidence columns after
    the hashed ones."""
    values = features(text[:max_chars], ngrams)
    if evidence is not None:
        for i, v in enumerate(evidence.columns()):
            values[N_FEATURES + i] = v
    return values


def story_text(title: str | None, paragraphs: list[str]) -> str:
    return "\n".join([title or "", *paragraphs])


@dataclass(frozen=True)
class Settings:
    """How the shipped model reads a story and where it draws the line."""

    ngrams: tuple[int, int]
    max_chars: int
    threshold: float
    uses_evidence: bool
    rules_weight: float  # share of the hand-set rules' confidence in the verdict


def _model_file() -> Any:
    return resources.files("crawler.understanding").joinpath(MODEL_FILE)


@lru_cache(maxsize=1)
def _weights() -> tuple[np.ndarray, float] | None:
    path = _model_file()
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        data = np.load(fh)
        return data["coef"].astype(np.float64), float(data["intercept"])


@lru_cache(maxsize=1)
def _settings() -> Settings:
    with _model_file().open("rb") as fh:
        data = np.load(fh)
        # A model file that predates stored settings used the defaults.
        low, high = (int(n) for n in data["ngrams"]) if "ngrams" in data else NGRAMS
        return Settings(
            ngrams=(low, high),
            max_chars=int(data["max_chars"]) if "max_chars" in data else MAX_CHARS,
            threshold=float(data["threshold"]) if "threshold" in data else 0.5,
            uses_evidence=len(data["coef"]) > N_FEATURES,
            rules_weight=float(data["rules_weight"]) if "rules_weight" in data else 0.5,
        )


def probability(text: str, evidence: Evidence | None = None) -> float | None:
    """P(partnership story) for a story's text and the rules' evidence; None when no model is
    shipped."""
    weights = _weights()
    if weights is None:
        return None
    coef, intercept = weights
    settings = _settings()
    given = evidence if settings.uses_evidence else None
    values = row(text, given, settings.ngrams, settings.max_chars)
    score = intercept + sum(coef[c] * v for c, v in values.items())
    return 1.0 / (1.0 + math.exp(-score))


def verdict(evidence: Evidence, text: str) -> tuple[bool, float]:
    """Whether the story is a partnership story, and how sure: the model's probability blended
    with the rules' confidence, against a threshold (both chosen by cross-validation), or the
    rules alone when no model is shipped."""
    learned = probability(text, evidence)
    is_story, confidence = evidence.rules_confidence()
    if learned is None:
        return is_story, confidence
    settings = _settings()
    blended = settings.rules_weight * confidence + (1 - settings.rules_weight) * learned
    return blended >= settings.threshold, blended
