"""A small trained relevance model: is this story about a city partnership?

Character n-grams (2 to 4, within word bounds) hashed into ``N_FEATURES`` columns, and a logistic
regression over them (trained with scikit-learn; scoring needs only numpy to load the weights). Hashing keeps no vocabulary, so the shipped weights
(``data/relevance.npz``, a few hundred KB) hold no text of the stories they were trained on.
It catches what the rules miss when the places are unknown ("forged a sisterhood", "자매결연
협정", "缔结友好城市关系") and is combined with them in ``extract.analyse``.

Trained by ``python -m crawler.understanding.train_relevance`` on the tuning part of the
real-news corpus and the synthetic corpus (tests/resources/corpus); same data, same weights.
"""

from __future__ import annotations

import math
import zlib
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

N_FEATURES = 2**16
NGRAMS = (2, 4)
MAX_CHARS = 1500  # the title and lede say what a story is about
MODEL_FILE = "data/relevance.npz"


def features(text: str) -> dict[int, float]:
    """Character n-grams within word bounds (each word padded with a space, as scikit-learn's
    ``char_wb``), hashed with CRC-32 into ``N_FEATURES`` columns, L2-normalised. Plain Python:
    no library is imported to score a story."""
    counts: dict[int, float] = {}
    low, high = NGRAMS
    for word in text.casefold().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                break
            for i in range(len(padded) - n + 1):
                column = zlib.crc32(padded[i : i + n].encode("utf-8")) % N_FEATURES
                counts[column] = counts.get(column, 0.0) + 1.0
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {k: v / norm for k, v in counts.items()}


def matrix(texts: list[str]) -> Any:
    """The training matrix (scipy sparse), one row per text."""
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    for r, text in enumerate(texts):
        for c, v in features(text).items():
            rows.append(r)
            cols.append(c)
            values.append(v)
    return csr_matrix((values, (rows, cols)), shape=(len(texts), N_FEATURES))


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
    score = intercept + sum(coef[c] * v for c, v in features(text).items())
    return 1.0 / (1.0 + math.exp(-score))
