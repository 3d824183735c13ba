"""Dates stated in a sentence ("on the 21st", "Dec 6", "11月21日", "지난 21일"), resolved against
the story's date: a bare day or month-day is the latest such day not after the story."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"), "ymd"),
    (re.compile(r"(?<![\d年년])(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"), "md"),
    (re.compile(r"(?<![\d月월年년])(\d{1,2})\s*[日일](?![\w本])"), "d"),
    (
        re.compile(
            r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b",
            re.I,
        ),
        "Md",
    ),
    (
        re.compile(
            r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+(\d{4}))?\b",
            re.I,
        ),
        "dM",
    ),
    (
        re.compile(
            r"\b(?:on|since|from|until|by)\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:anniversar|year|centur))",
            re.I,
        ),
        "d",
    ),
]


def dates_in(text: str, story_date: date | None) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    spans: list[tuple[int, int]] = []
    for pattern, kind in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in spans):
                continue
            try:
                day = _resolve_date(kind, m.groups(), story_date)
            except ValueError:
                day = None
            if day is not None:
                spans.append((m.start(), m.end()))
                found.append((m.start(), day))
    return found


def _resolve_date(kind: str, groups: tuple[Any, ...], ref: date | None) -> date | None:
    if kind == "ymd":
        return date(int(groups[0]), int(groups[1]), int(groups[2]))
    if ref is None:
        return None
    if kind == "d":
        day = int(groups[0])
        candidate = (
            date(ref.year, ref.month, day) if day <= _month_len(ref.year, ref.month) else None
        )
        if candidate is None or candidate > ref:
            prev = ref.replace(day=1) - timedelta(days=1)
            candidate = date(prev.year, prev.month, min(day, _month_len(prev.year, prev.month)))
        return candidate
    if kind == "md":
        month, day = int(groups[0]), int(groups[1])
        year = None
    elif kind == "Md":
        month, day = _MONTHS[groups[0][:3].casefold()], int(groups[1])
        year = int(groups[2]) if groups[2] else None
    else:
        day, month = int(groups[0]), _MONTHS[groups[1][:3].casefold()]
        year = int(groups[2]) if groups[2] else None
    if year is not None:
        return date(year, month, day)
    candidate = date(ref.year, month, day)
    if candidate > ref + timedelta(days=1):
        candidate = date(ref.year - 1, month, day)
    return candidate


def _month_len(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day
