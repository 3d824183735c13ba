"""Train the relevance model: ``python -m crawler.understanding.train_relevance [--jsonl PATH]``.

Data: the tuning part of the real-news corpus (never the frozen part) and the synthetic corpus
in tests/resources/corpus. Liblinear is deterministic, so the same data give the same weights.
Writes ``crawler/understanding/data/relevance.npz``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from crawler.understanding import relevance
from crawler.understanding.evaluate import load_corpus
from crawler.understanding.realcorpus import corpus_path, load_rows, part_rows

C = 64.0
SYNTHETIC = Path(__file__).resolve().parents[2] / "tests" / "resources" / "corpus"
OUT = Path(__file__).resolve().parent / relevance.MODEL_FILE


def training_data(jsonl: Path, synthetic: Path = SYNTHETIC) -> tuple[list[str], list[int]]:
    texts: list[str] = []
    labels: list[int] = []
    for row in part_rows(load_rows(jsonl), "tuning"):
        paragraphs = [p for p in (row.get("text") or "").split("\n") if p.strip()]
        texts.append(relevance.story_text(row.get("title"), paragraphs))
        labels.append(int(bool(row["is_partnership_story"])))
    for _, case in load_corpus(synthetic):
        texts.append(relevance.story_text(case.get("title"), list(case.get("body", []))))
        labels.append(int(bool(case["partnership"])))
    return texts, labels


def fit(texts: list[str], labels: list[int]) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced")
    model.fit(relevance.matrix(texts), labels)
    return model.coef_[0], float(model.intercept_[0])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jsonl", type=Path, default=corpus_path())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.jsonl is None or not args.jsonl.is_file():
        print("train_relevance: real-news corpus not found", file=sys.stderr)
        return 2
    coef, intercept = fit(*training_data(args.jsonl))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, coef=coef.astype(np.float16), intercept=np.float64(intercept))
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
