"""Paragraph-level diffs between consecutive story versions, computed once when a version is
written and stored with it (feeds only render them)."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any


def paragraph_diff(
    old_title: str, old_body: list[str], new_title: str, new_body: list[str]
) -> dict[str, Any]:
    """What changed between two versions.

    Returns ``{"title": [old, new] or None, "ops": [...], "added": n, "removed": n}``; each op is
    ``{"op": "insert"|"delete"|"replace", "at": index in the new body, "old": [...], "new": [...]}``
    (unchanged runs are left out).
    """
    matcher = SequenceMatcher(a=old_body, b=new_body, autojunk=False)
    ops: list[dict[str, Any]] = []
    added = removed = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        ops.append({"op": tag, "at": j1, "old": old_body[i1:i2], "new": new_body[j1:j2]})
        removed += i2 - i1
        added += j2 - j1
    return {
        "title": [old_title, new_title] if old_title != new_title else None,
        "ops": ops,
        "added": added,
        "removed": removed,
    }


def describe(diff: dict[str, Any]) -> str:
    """A one-line plain description: "title changed; 1 paragraph added, 2 removed"."""
    parts = []
    if diff.get("title"):
        parts.append("title changed")
    added, removed = diff.get("added", 0), diff.get("removed", 0)
    if added:
        parts.append(f"{added} paragraph{'s' if added != 1 else ''} added")
    if removed:
        parts.append(f"{removed} paragraph{'s' if removed != 1 else ''} removed")
    return "; ".join(parts) or "no visible text change"
