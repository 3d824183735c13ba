"""A small trained relevance model: is this story about a city partnership?

Character n-grams (2 to 4, within word bounds) hashed into ``N_FEATURES`` columns, and a logistic
regression over them. Hashing keeps no vocabulary, so the shipped weights
(``data/relevance.npz``, a few hundred KB) hold no text of the stories they were trained on.
It catches what the rules miss when the places are unknown ("forged a sisterhood", "자매결연
협정", "缔结友好城市关系") and is combined with them in ``extract.analyse``.

Trained by ``python -m crawler.understanding.train_relevance`` on the tuning part of the
real-news corpus and the synthetic corpus (tests/resources/corpus); same data, same weights.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

N_FEATURES = 2**16
NGRAMS = (2, 4)
MAX_CHARS = 4000  # the title and lede say what a story is about
MODEL_FILE = "data/relevance.npz"


@lru_cache(maxsize=1)
def vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=NGRAMS,
        n_features=N_FEATURES,
        alternate_sign=False,
        norm="l2",
        lowercase=True,
    )


def story_text(title: str | None, paragraphs: list[str]) -> str:
    return "\n".join([title or "", *paragraphs])[:MAX_CHARS]


@lru_cache(maxsize=1)
def _weights() -> tuple[np.ndarray, float] | None:
    path = resources.files("crawler.understanding").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        data = np.load(fh)
        return data["coef"].astype(np.float64), float(data["intercept"])


def probability(text: str) -> float | None:
    """P(partnership story) for a story's text; None when no model is shipped."""
    weights = _weights()
    if weights is None:
        return None
    coef, intercept = weights
    row = vectorizer().transform([text])
    score = float(row.dot(coef)[0]) + intercept
    return float(1.0 / (1.0 + np.exp(-score)))
