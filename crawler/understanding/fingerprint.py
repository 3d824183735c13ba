"""Fingerprints and the duplicate index: same URL, same content, near-duplicate, same event.

Near-duplicates use MinHash signatures in an LSH index (banded buckets): a lookup touches only
the buckets the new signature falls in, so its cost does not grow with the number of stories
stored. Signatures and bands are datasketch's (``MinHash`` in its default affine32 scheme and
``MinHashLSH``), computed here with numpy: importing datasketch imports scipy (40 MB held by
every crawl) for the one integral that picks the bands.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

DUPLICATE_URL = "url"
DUPLICATE_CONTENT = "content"
DUPLICATE_NEAR = "near"

NUM_PERM = 128
SHINGLE = 3
# Han characters and Hangul syllables count one token each; other scripts split into words.
_TOKEN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[\uac00-\ud7a3]+|[^\W_]+", re.UNICODE)


def normalized_text(title: str, body: Sequence[str]) -> str:
    """Case-folded NFKC words of title and body: what 'the same content' compares."""
    text = unicodedata.normalize("NFKC", "\n".join([title, *body])).casefold()
    return " ".join(_TOKEN_RE.findall(text))


def content_hash(title: str, body: Sequence[str]) -> str:
    """SHA-256 of the normalized text, so republished copies (other host, other id) match."""
    return hashlib.sha256(normalized_text(title, body).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    tokens = _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


@dataclass(frozen=True, slots=True)
class MinHash:
    """A story's MinHash signature: the least permuted hash of its shingles, per permutation."""

    hashvalues: np.ndarray  # NUM_PERM uint32

    def jaccard(self, other: MinHash) -> float:
        """Estimated Jaccard similarity of the two stories' shingle sets."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations h -> a*h + b mod 2**32 (odd a), seed 1."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer (wrapping uint32 arithmetic), as datasketch mixes inputs."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def minhash(title: str, body: Sequence[str]) -> MinHash:
    found = shingles("\n".join([title, *body]))
    signature = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    if found:
        hv = np.array(
            [int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:4], "little") for s in found],
            dtype=np.uint32,
        ).reshape(-1, 1)
        a, b = _permutations()
        signature = np.minimum(signature, (_fmix32(hv) * a + b).min(axis=0))
    return MinHash(signature)


@lru_cache(maxsize=8)
def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """Bands and rows per band that minimise false positives plus false negatives (weighed
    equally) at ``threshold``: datasketch's ``_optimal_param``, its integrals taken with
    Simpson's rule instead of scipy."""
    best, error = (1, 1), float("inf")
    below = np.linspace(0.0, threshold, 1001)
    above = np.linspace(threshold, 1.0, 1001)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = _simpson(1 - (1 - below**rows) ** bands, below)
            false_negative = _simpson((1 - above**rows) ** bands, above)
            if false_positive + false_negative < error:
                best, error = (bands, rows), false_positive + false_negative
    return best


def _simpson(values: np.ndarray, points: np.ndarray) -> float:
    step = points[1] - points[0]
    inner = 4 * values[1:-1:2].sum() + 2 * values[2:-1:2].sum()
    return float(step / 3 * (values[0] + inner + values[-1]))


@dataclass(frozen=True)
class Match:
    story_id: str
    kind: str  # url, content or near
    similarity: float


@dataclass(slots=True)
class _Entry:
    story_id: str
    signature: MinHash | None
    order: int  # stories stored earlier win ties


class NearDuplicateIndex:
    """Remembers stories and finds the one a new story repeats, in three layers.

    ``threshold`` is the estimated Jaccard similarity of word 3-gram shingles above which two
    stories count as near-duplicates (light edits, the same wire copy on two sites).
    """

    def __init__(self, threshold: float = 0.8, base: NearDuplicateIndex | None = None) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"near-duplicate threshold must be between 0 and 1, not {threshold}")
        if base is not None and base.threshold != threshold:
            raise ValueError("a base index must have the same threshold")
        self.threshold = threshold
        # Stories known before this index's own, read but never changed here: the store's
        # stories, filled once and shared by every spider of a crawl (pipelines/dedupe.py).
        # Lookups answer as one index holding the base's stories first, then this one's.
        self.base = base
        self._by_url: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}
        self._entries: dict[str, _Entry] = {}
        bands, self._rows = lsh_bands(threshold)
        # One bucket table per band: a band's hash values (as bytes) -> the stories sharing them.
        self._buckets: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]

    def __len__(self) -> int:
        return len(self._entries) + (len(self.base) if self.base is not None else 0)

    def find(
        self,
        *,
        canonical_url: str,
        content_hash: str,
        title: str,
        body: Sequence[str],
        signature: MinHash | None = None,
    ) -> Match | None:
        """The earliest stored story this one repeats, or None. ``signature``: the story's
        MinHash if the caller already has it."""
        exact = self._exact(canonical_url, content_hash)
        if exact is not None:
            return exact
        return self._near(signature if signature is not None else minhash(title, body))

    def _exact(self, canonical_url: str, content_hash: str) -> Match | None:
        base = self.base
        if base is not None and canonical_url in base._by_url:
            return Match(base._by_url[canonical_url], DUPLICATE_URL, 1.0)
        if canonical_url in self._by_url:
            return Match(self._by_url[canonical_url], DUPLICATE_URL, 1.0)
        if content_hash and base is not None and content_hash in base._by_hash:
            return Match(base._by_hash[content_hash], DUPLICATE_CONTENT, 1.0)
        if content_hash and content_hash in self._by_hash:
            return Match(self._by_hash[content_hash], DUPLICATE_CONTENT, 1.0)
        return None

    def _near(self, signature: MinHash) -> Match | None:
        # The base's stories came first: one of this index's own wins only when more similar.
        best = self.base._near(signature) if self.base is not None else None
        for key in self._candidates(signature):
            entry = self._entries[key]
            if entry.signature is None:
                continue
            similarity = signature.jaccard(entry.signature)
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = Match(entry.story_id, DUPLICATE_NEAR, similarity)
        return best

    def add(
        self,
        *,
        story_id: str,
        canonical_url: str,
        content_hash: str,
        title: str,
        body: Sequence[str],
        signature: MinHash | None = None,
    ) -> None:
        """Remember a story; the first story seen keeps a URL or hash, later copies link to it.
        A story with no title and no body is kept for its URL and hash only."""
        base = self.base
        if base is None or canonical_url not in base._by_url:
            self._by_url.setdefault(canonical_url, story_id)
        if content_hash and (base is None or content_hash not in base._by_hash):
            self._by_hash.setdefault(content_hash, story_id)
        if story_id in self._entries or (base is not None and story_id in base._entries):
            return
        if not (title or body):
            signature = None
        elif signature is None:
            signature = minhash(title, body)
        self._entries[story_id] = _Entry(story_id, signature, len(self._entries))
        if signature is not None:
            for table, band in zip(self._buckets, self._bands(signature), strict=True):
                table.setdefault(band, []).append(story_id)

    def _bands(self, signature: MinHash) -> list[bytes]:
        rows = self._rows
        values = signature.hashvalues
        return [values[i * rows : (i + 1) * rows].tobytes() for i in range(len(self._buckets))]

    def _candidates(self, signature: MinHash) -> list[str]:
        """Stories sharing at least one band with ``signature``, first stored first."""
        found: dict[str, None] = {}
        for table, band in zip(self._buckets, self._bands(signature), strict=True):
            found.update(dict.fromkeys(table.get(band, ())))
        return sorted(found, key=lambda key: self._entries[key].order)

    def find_and_add(
        self,
        *,
        story_id: str,
        canonical_url: str,
        content_hash: str,
        title: str,
        body: Sequence[str],
    ) -> Match | None:
        """``find`` then ``add`` for one new story, computing its MinHash at most once (and not
        at all for a story already known by its URL or hash and already indexed)."""
        match = self._exact(canonical_url, content_hash)
        signature = None
        if match is None:
            signature = minhash(title, body)
            match = self._near(signature)
        self.add(
            story_id=story_id,
            canonical_url=canonical_url,
            content_hash=content_hash,
            title=title,
            body=body,
            signature=signature,
        )
        return match

    def add_records(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Fill the index from stored records (story_id, canonical_url, content_hash, title, body)."""
        count = 0
        for record in records:
            body = record.get("body") or []
            if isinstance(body, str):
                body = body.split("\n")
            self.add(
                story_id=str(record["story_id"]),
                canonical_url=str(record.get("canonical_url") or ""),
                content_hash=str(record.get("content_hash") or ""),
                title=str(record.get("title") or ""),
                body=list(body),
            )
            count += 1
        return count


def place_key(place: Mapping[str, Any]) -> str:
    """A place's id, or for one the gazetteer lacks (``id: None``) its country and surface name."""
    if place.get("id"):
        return str(place["id"])
    return (
        f"unresolved:{place.get('country') or '?'}:{place.get('local_name') or place.get('name')}"
    )


def event_key(partnership: Mapping[str, Any]) -> str:
    """Deterministic id of the event a partnership dict reports: pair, event and its date."""
    return "|".join(
        [
            place_key(partnership["a"]),
            place_key(partnership["b"]),
            partnership["event"],
            partnership.get("event_date") or "undated",
        ]
    )


class EventIndex:
    """Links stories that report the same event for the same pair within ``window_days``.

    The first story's key is kept; a later report of that pair and event dated within the window
    (another site, another language, a republication) gets the same key, so a feed can show the
    event once with all its sources.
    """

    def __init__(self, window_days: int = 7) -> None:
        self.window_days = window_days
        self._seen: dict[tuple[str, str, str], list[tuple[date, str]]] = {}

    def key_for(self, partnership: Mapping[str, Any]) -> str:
        own = event_key(partnership)
        when = partnership.get("event_date")
        if not when:
            return own
        day = date.fromisoformat(when)
        slot = (place_key(partnership["a"]), place_key(partnership["b"]), partnership["event"])
        known = self._seen.setdefault(slot, [])
        for seen_day, key in known:
            if abs((seen_day - day).days) <= self.window_days:
                return key
        known.append((day, own))
        return own
