"""The partnership register: claims in, partnership records and their change log out.

Every partnership dict a story version carries becomes *claims*, one per field (relation,
status, began, event), each tied to that version. The register fields are resolved from the
active claims only:

- a repeated report adds a claim, not a change;
- the newest well-supported value wins (well supported: the classifier was confident about the
  story, or two independent stories agree); a contradicting claim stays as evidence and is
  logged once as a *conflict* change, so the disagreement is visible;
- a new version of a story replaces that story's claims: a claim the edit removed is withdrawn,
  and a partnership left with no claims is *retracted* (itself a change);
- claims of the same kind of event on the same pair within ``event_window_days`` are one event,
  whatever the site or language, with every story as a source;
- one tie, one relation: the relation is the closest tie any well-supported source reports
  (``RELATION_RANK``); the other side's wording is evidence, never a conflict;
- ``apply(defer=True)`` (a crawl run) files claims and leaves the pairs pending;
  ``settle_pending`` then compares each pair before the batch with after it, so a run's change
  log does not depend on the order its stories arrived in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import (
    ChangeEvidence,
    ChangeRecord,
    Claim,
    Event,
    FeedOutbox,
    NetworkSize,
    Partnership,
    PlaceRecord,
    StoreMeta,
    StoryRecord,
    StoryVersion,
)

FIELDS = ("relation", "status", "began")
EVENT_KINDS = (
    "established",
    "anniversary",
    "renewed",
    "upgraded",
    "exchange",
    "suspended",
    "terminated",
)
STATUS_BY_EVENT = {"suspended": "suspended", "terminated": "terminated"}  # any other report: active

RELATION_WORDS = {
    "sister": "sister-city",
    "friendship": "friendship-city",
    "friendly_cooperation": "friendly-cooperation",
    "other": "partnership",
}
RELATION_NOUNS = {
    "sister": "sister cities",
    "friendship": "friendship cities",
    "friendly_cooperation": "friendly cooperation partners",
    "other": "partners",
}
FIELD_WORDS = {"relation": "relation", "status": "status", "began": "start date"}
VALUE_WORDS = {"friendly_cooperation": "friendly cooperation"}
EVENT_PHRASES = {
    "established": "{rel} agreement signed",
    "anniversary": "anniversary marked",
    "renewed": "partnership renewed",
    "upgraded": "partnership upgraded to {rel}",
    "exchange": "exchange visit",
    "suspended": "partnership suspended",
    "terminated": "partnership ended",
}
PROPOSED_PHRASE = "letter of intent for a {rel} partnership signed"
# The two sides of one tie often word it differently (a Chinese city's "friendly cooperation" is
# its Korean partner's "sister city"); the register keeps the closest tie any well-supported
# source reports and shows the other wordings beside it. An upgrade raises the rank.
RELATION_RANK = {"sister": 3, "friendship": 2, "friendly_cooperation": 1, "other": 0}
PENDING = "register.pending:"  # store_meta key prefix of a pair left for settle_pending


@dataclass(frozen=True, kw_only=True)
class RegisterConfig:
    event_window_days: int = 7
    min_confidence: float = 0.5


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def compatible(a: str, b: str) -> bool:
    """ "2024" and "2024-11-21" agree: a date refines a year."""
    return a == b or a.startswith(b + "-") or b.startswith(a + "-")


def _words(value: str | None) -> str:
    return VALUE_WORDS.get(value or "", value or "unknown")


class Register:
    def __init__(self, session: Session, config: RegisterConfig):
        self.session = session
        self.config = config

    # --- applying a story version --------------------------------------------------------
    def apply(
        self, story: StoryRecord, version: StoryVersion, *, defer: bool = False
    ) -> dict[str, Any]:
        """Replace ``story``'s claims with those of ``version`` and settle every pair touched.

        ``defer``: file the claims but leave the pairs for ``settle_pending`` (a crawl run settles
        once all its stories are in, so its change log does not depend on their order)."""
        s = self.session
        mark = int(s.scalar(select(func.max(Claim.id))) or 0)
        old_claims = list(
            s.scalars(select(Claim).where(Claim.story_id == story.id, Claim.active.is_(True)))
        )
        touched: set[int] = {c.partnership_id for c in old_claims}
        for claim in old_claims:
            claim.active = False
        # Values each pair had before this version, to tell repeats and conflicts apart.
        before = self._values_before(touched, story.id)
        self._network_sizes(story, version)

        created: set[int] = set()
        new_claims: dict[int, list[Claim]] = defaultdict(list)
        reported_at = version.published or version.fetched_at
        source = version.duplicate_of or story.key
        confident = version.is_partnership_story is not False and (
            version.confidence is None or version.confidence >= self.config.min_confidence
        )
        pairs = [
            p for p in version.partnerships if isinstance(p, dict) and p.get("a") and p.get("b")
        ]
        for item in pairs:
            partnership, is_new = self._partnership(item, reported_at)
            if is_new:
                created.add(partnership.id)
            if partnership.id not in touched:
                before.update(self._values_before({partnership.id}, story.id))
            touched.add(partnership.id)
            partnership.last_reported = max(partnership.last_reported, reported_at)
            partnership.first_reported = min(partnership.first_reported, reported_at)
            for fld, value in self._claim_values(item):
                claim = Claim(
                    partnership_id=partnership.id,
                    version_id=version.id,
                    story_id=story.id,
                    source=source,
                    field=fld,
                    value=value,
                    reported_at=reported_at,
                    well_supported=confident,
                    sentence=str(item.get("evidence") or ""),
                    active=True,
                )
                if fld == "event":
                    claim.event_id = self._event_for(partnership, item, reported_at).id
                s.add(claim)
                new_claims[partnership.id].append(claim)
        s.flush()
        if defer:
            for pid in sorted(touched):
                if s.get(StoreMeta, f"{PENDING}{pid}") is None:
                    s.add(StoreMeta(key=f"{PENDING}{pid}", value=str(mark)))
            s.flush()
            return {
                "partnership_changes": [],
                "partnerships_new": len(created),
                "partnerships_changed": 0,
            }

        logged: list[ChangeRecord] = []
        changed_pairs: set[int] = set()
        for partnership in sorted(
            (s.get(Partnership, pid) for pid in touched), key=lambda p: p.key
        ):
            assert partnership is not None
            changes = self._settle(
                partnership,
                version.fetched_at,
                [version.id],
                partnership.id in created,
                new_claims[partnership.id],
                before[partnership.id],
            )
            if changes and partnership.id not in created:
                changed_pairs.add(partnership.id)
            logged.extend(changes)
        return {
            "partnership_changes": [c.key for c in logged],
            "partnerships_new": len(created),
            "partnerships_changed": len(changed_pairs),
        }

    def settle_pending(self) -> dict[int, list[ChangeRecord]]:
        """Settle every pair ``apply(defer=True)`` left, as one batch per pair: the change log
        compares the pair before the batch with the pair after it, so the order the batch's
        stories arrived in does not matter. Returns the changes logged, by partnership id."""
        s = self.session
        # Taken and removed in one statement: of two settles at once (spiders closing together,
        # feeds built beside a crawl's end), each pending pair goes to one only.
        taken = s.execute(
            delete(StoreMeta)
            .where(StoreMeta.key.startswith(PENDING))
            .returning(StoreMeta.key, StoreMeta.value)
        )
        marks = {int(key.removeprefix(PENDING)): int(value) for key, value in taken}
        out: dict[int, list[ChangeRecord]] = {}
        pairs = s.scalars(select(Partnership).where(Partnership.id.in_(marks)))
        for p in sorted(pairs, key=lambda p: p.key):
            mark = marks[p.id]
            claims = list(s.scalars(select(Claim).where(Claim.partnership_id == p.id)))
            batch = [c for c in claims if c.id > mark]
            batch_stories = {c.story_id for c in batch}
            new_claims = sorted(
                (c for c in batch if c.active),
                key=lambda c: (c.field, c.value, c.source, c.version_id, c.id),
            )
            before: dict[str, set[str]] = defaultdict(set)
            for c in claims:
                if c.id <= mark and (c.active or c.story_id in batch_stories):
                    before[c.field].add(c.value)
            versions = {c.version_id for c in batch}
            # A story whose new version dropped the pair is in the batch too: its latest version.
            for c in claims:
                if c.id <= mark and not c.active:
                    latest = s.scalar(
                        select(func.max(StoryVersion.id)).where(StoryVersion.story_id == c.story_id)
                    )
                    if latest is not None and latest != c.version_id:
                        versions.add(int(latest))
            rows = list(s.scalars(select(StoryVersion).where(StoryVersion.id.in_(versions))))
            at = max((v.fetched_at for v in rows), default=p.last_reported)
            out[p.id] = self._settle(
                p, at, sorted(versions), p.change_count == 0, new_claims, before
            )
        return out

    def _claim_values(self, item: dict[str, Any]) -> list[tuple[str, str]]:
        event = str(item.get("event") or "mentioned")
        values: list[tuple[str, str]] = []
        if item.get("relation"):
            values.append(("relation", str(item["relation"])))
        status = str(item.get("status") or STATUS_BY_EVENT.get(event, "active"))
        values.append(("status", status))
        if status == "proposed":
            pass  # a letter of intent: the partnership has not begun yet
        elif event == "established" and item.get("event_date"):
            values.append(("began", str(item["event_date"])))
        elif item.get("since_year"):
            values.append(("began", str(int(item["since_year"]))))
        if event in EVENT_KINDS:
            values.append(("event", event))
        return values

    def _values_before(self, touched: set[int], story_id: int) -> dict[int, dict[str, set[str]]]:
        before: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        if not touched:
            return before
        rows = self.session.execute(
            select(Claim.partnership_id, Claim.field, Claim.value).where(
                Claim.partnership_id.in_(touched),
                (Claim.active.is_(True)) | (Claim.story_id == story_id),
            )
        )
        for pid, fld, value in rows:
            before[pid][fld].add(value)
        return before

    def _place(self, data: dict[str, Any]) -> PlaceRecord:
        name = str(data.get("name") or data.get("local_name") or "unknown")
        country = str(data.get("country") or "").upper()[:2]
        place_id = str(data.get("id") or f"place:{country.lower()}:{slugify(name)}")
        place = self.session.get(PlaceRecord, place_id)
        if place is not None:
            return place
        base = "-".join(p for p in (slugify(name) or "place", country.lower()) if p)
        candidates = [base]
        if data.get("parent_name") or data.get("parent"):
            parent = str(data.get("parent_name") or data["parent"])
            candidates.append(f"{slugify(name)}-{slugify(parent)}-{country.lower()}")
        # Exact look-ups of the few candidates: a prefix LIKE reads the whole slug index.
        taken = set(
            self.session.scalars(select(PlaceRecord.slug).where(PlaceRecord.slug.in_(candidates)))
        )
        slug = next((c for c in candidates if c not in taken), f"{base}-{slugify(place_id)}")
        place = PlaceRecord(
            id=place_id,
            name=name,
            local_name=data.get("local_name"),
            country=country,
            level=data.get("level"),
            parent=data.get("parent"),
            slug=slug,
        )
        self.session.add(place)
        self.session.flush()
        return place

    def _partnership(self, item: dict[str, Any], reported_at: datetime) -> tuple[Partnership, bool]:
        a, b = sorted((self._place(item["a"]), self._place(item["b"])), key=lambda p: p.id)
        key = f"{a.id}|{b.id}"
        found = self.session.scalars(
            select(Partnership).where(Partnership.key == key)
        ).one_or_none()
        if found is not None:
            return found, False
        partnership = Partnership(
            key=key,
            place_a_id=a.id,
            place_b_id=b.id,
            first_reported=reported_at,
            last_reported=reported_at,
            retracted=False,
            change_count=0,
        )
        self.session.add(partnership)
        self.session.flush()
        return partnership, True

    def _event_for(
        self, partnership: Partnership, item: dict[str, Any], reported_at: datetime
    ) -> Event:
        kind = str(item["event"])
        event_date = item.get("event_date")
        anchor = str(event_date or reported_at.date().isoformat())
        window = self.config.event_window_days
        best: tuple[int, int, Event] | None = None
        for event in self.session.scalars(
            select(Event)
            .where(Event.partnership_id == partnership.id, Event.kind == kind)
            .order_by(Event.id)
        ):
            gap = abs((date.fromisoformat(event.anchor_date) - date.fromisoformat(anchor)).days)
            if gap <= window and (best is None or (gap, event.id) < best[:2]):
                best = (gap, event.id, event)
        if best is not None:
            event = best[2]
            if event_date and not event.event_date:
                event.event_date = str(event_date)
                event.anchor_date = str(event_date)
            return event
        event = Event(
            partnership_id=partnership.id,
            kind=kind,
            event_date=str(event_date) if event_date else None,
            anchor_date=anchor,
            active=True,
        )
        self.session.add(event)
        self.session.flush()
        event.active = False  # settled below: active while a claim supports it
        return event

    # --- settling one partnership ---------------------------------------------------------
    def _settle(
        self,
        p: Partnership,
        at: datetime,
        batch: list[int],
        is_new: bool,
        new_claims: list[Claim],
        before: dict[str, set[str]],
    ) -> list[ChangeRecord]:
        """Resolve ``p`` from its active claims and log what changed; ``batch`` holds the story
        versions filed since the pair was last settled (evidence), ``at`` the latest fetch."""
        s = self.session

        def versions_of(claims: list[Claim]) -> list[int]:
            return sorted({c.version_id for c in claims}) or batch

        active = list(
            s.scalars(
                select(Claim)
                .where(Claim.partnership_id == p.id, Claim.active.is_(True))
                .order_by(Claim.id)
            )
        )
        # Ordered by what they are, not by which story created them first.
        events = sorted(
            s.scalars(select(Event).where(Event.partnership_id == p.id)),
            key=lambda e: (e.anchor_date, e.kind, e.event_date or "", e.id),
        )
        was_active = {e.id: e.active for e in events}
        supported_events = {c.event_id for c in active if c.event_id is not None}
        for event in events:
            event.active = event.id in supported_events
        logged: list[ChangeRecord] = []
        if not active:
            if not p.retracted:
                p.retracted = True
                logged.append(
                    self._log(
                        p,
                        "retraction",
                        at,
                        batch,
                        "no source reports this partnership any more; it is retracted from the register",
                    )
                )
            return logged
        if p.retracted:
            p.retracted = False
            logged.append(
                self._log(
                    p,
                    "reinstated",
                    at,
                    versions_of(new_claims),
                    "reported again after its retraction",
                )
            )

        by_field: dict[str, list[Claim]] = defaultdict(list)
        for claim in active:
            by_field[claim.field].append(claim)
        resolved = {fld: self._resolve(fld, by_field[fld]) for fld in FIELDS}
        old = {fld: getattr(p, fld) for fld in FIELDS}
        for fld in FIELDS:
            setattr(p, fld, resolved[fld])
        live = [e for e in events if e.active]
        latest = max(live, key=lambda e: (e.anchor_date, e.id)) if live else None
        p.latest_event = latest.kind if latest else None
        p.latest_event_date = (latest.event_date or latest.anchor_date) if latest else None

        fresh_events = [
            e
            for e in events
            if e.id in {c.event_id for c in new_claims} and not self._event_change(e)
        ]
        if is_new:
            founding = next(
                (e for e in fresh_events if e.kind == "established"),
                fresh_events[0] if fresh_events else None,
            )
            logged.append(
                self._log(
                    p,
                    "new",
                    at,
                    versions_of(new_claims),
                    self._new_summary(p, founding),
                    event=founding,
                )
            )
            fresh_events = [e for e in fresh_events if e is not founding]
        else:
            for fld in FIELDS:
                if resolved[fld] != old[fld] and old[fld] is not None:
                    supporting = sorted(
                        {c.version_id for c in by_field[fld] if c.value == resolved[fld]}
                    )
                    others = sorted(
                        {
                            c.value
                            for c in by_field[fld]
                            if not compatible(c.value, resolved[fld] or "")
                        }
                    )
                    text = f"{FIELD_WORDS[fld]} changed from {_words(old[fld])} to {_words(resolved[fld])}"
                    if others:
                        text += f" (other sources still say {', '.join(_words(v) for v in others)})"
                    evidence = [v for v in batch if v in supporting] or supporting or batch
                    logged.append(
                        self._log(
                            p, "field", at, evidence, text, fld=fld, old=old[fld], new=resolved[fld]
                        )
                    )
        for claim in new_claims:
            winner = resolved.get(claim.field)
            if claim.field not in FIELDS or winner is None or compatible(claim.value, winner):
                continue
            if claim.field == "relation":
                continue  # the other side's wording for the same tie: shown, not a disagreement
            if claim.value in before.get(claim.field, set()):
                continue  # a known disagreement repeated: evidence only
            text = (
                f"sources disagree on the {FIELD_WORDS[claim.field]}: this story says "
                f"{_words(claim.value)}, the register keeps {_words(winner)}"
            )
            logged.append(
                self._log(
                    p,
                    "conflict",
                    at,
                    versions_of(
                        [c for c in new_claims if (c.field, c.value) == (claim.field, claim.value)]
                    ),
                    text,
                    fld=claim.field,
                    old=winner,
                    new=claim.value,
                )
            )
            before.setdefault(claim.field, set()).add(claim.value)
        for event in fresh_events:
            evidence = versions_of([c for c in new_claims if c.event_id == event.id])
            logged.append(
                self._log(p, "event", at, evidence, self._event_summary(p, event), event=event)
            )
        for event in events:
            if was_active.get(event.id) and not event.active:
                when = event.event_date or event.anchor_date
                logged.append(
                    self._log(
                        p,
                        "retraction",
                        at,
                        batch,
                        f"the report of the {event.kind} on {when} was withdrawn",
                        fld="event",
                        old=event.kind,
                        event=event,
                    )
                )
        # Other stories reporting an event already in the log become its sources.
        for claim in new_claims:
            if claim.event_id is None:
                continue
            change = self._event_change(s.get(Event, claim.event_id))
            if change is not None and change not in logged:
                self._add_evidence(change, claim.version_id)
        return logged

    def _resolve(self, fld: str, claims: list[Claim]) -> str | None:
        if not claims:
            return None
        sources: dict[str, set[str]] = defaultdict(set)
        for claim in claims:
            sources[claim.value].add(claim.source)
        strong = [c for c in claims if c.well_supported or len(sources[c.value]) >= 2]
        pool = strong or claims
        if fld == "relation":
            # One tie, one relation: the closest tie any source reports, whatever the order.
            return max((c.value for c in pool), key=lambda v: (RELATION_RANK.get(v, -1), v))
        newest = max(pool, key=lambda c: (c.reported_at, c.version_id, c.id))
        value = newest.value
        if fld == "began":
            value = max(
                (c.value for c in pool if compatible(c.value, value)), key=lambda v: (len(v), v)
            )
        return value

    def _event_change(self, event: Event | None) -> ChangeRecord | None:
        if event is None:
            return None
        return self.session.scalars(
            select(ChangeRecord)
            .where(ChangeRecord.event_id == event.id, ChangeRecord.kind.in_(("new", "event")))
            .order_by(ChangeRecord.id)
            .limit(1)
        ).one_or_none()

    def _log(
        self,
        p: Partnership,
        kind: str,
        at: datetime,
        evidence: list[int],
        summary: str,
        *,
        fld: str | None = None,
        old: str | None = None,
        new: str | None = None,
        event: Event | None = None,
    ) -> ChangeRecord:
        p.change_count += 1
        change = ChangeRecord(
            key=f"{p.key}/{p.change_count}",
            partnership_id=p.id,
            kind=kind,
            field=fld,
            old_value=old,
            new_value=new,
            event_id=event.id if event else None,
            relation=p.relation,
            at=at,
            title=f"{self.pair_name(p)}: {summary}",
            summary=summary[:1].upper() + summary[1:] + ".",
        )
        self.session.add(change)
        self.session.flush()
        for version_id in sorted(set(evidence)):
            self.session.add(ChangeEvidence(change_id=change.id, version_id=version_id))
        self.session.add(FeedOutbox(change_id=change.id))
        return change

    def _add_evidence(self, change: ChangeRecord, version_id: int) -> None:
        if self.session.get(ChangeEvidence, (change.id, version_id)) is None:
            self.session.add(ChangeEvidence(change_id=change.id, version_id=version_id))
            self.session.add(FeedOutbox(change_id=change.id))

    def pair_name(self, p: Partnership) -> str:
        a = self.session.get(PlaceRecord, p.place_a_id)
        b = self.session.get(PlaceRecord, p.place_b_id)
        assert a is not None and b is not None
        return f"{a.name} ({a.country}) – {b.name} ({b.country})"

    def _new_summary(self, p: Partnership, founding: Event | None) -> str:
        rel = RELATION_WORDS.get(p.relation or "other", "partnership")
        if founding is not None and founding.kind == "established":
            when = founding.event_date
            phrase = PROPOSED_PHRASE if p.status == "proposed" else EVENT_PHRASES["established"]
            return phrase.format(rel=rel) + (f" {when}" if when else "")
        noun = RELATION_NOUNS.get(p.relation or "other", "partners")
        text = noun + (f" since {p.began}" if p.began else ", first reported")
        if founding is not None:
            text += "; " + self._event_summary(p, founding)
        return text

    def _event_summary(self, p: Partnership, event: Event) -> str:
        rel = RELATION_WORDS.get(p.relation or "other", "partnership")
        text = EVENT_PHRASES[event.kind].format(rel=rel)
        if event.kind == "anniversary" and p.began and event.event_date:
            years = int(event.event_date[:4]) - int(p.began[:4])
            if years > 0:
                text = f"{_ordinal(years)} " + text
        return text + (f" {event.event_date}" if event.event_date else "")

    # --- network sizes ---------------------------------------------------------------------
    def _network_sizes(self, story: StoryRecord, version: StoryVersion) -> None:
        s = self.session
        versions = select(StoryVersion.id).where(StoryVersion.story_id == story.id)
        for row in s.scalars(
            select(NetworkSize).where(
                NetworkSize.version_id.in_(versions), NetworkSize.active.is_(True)
            )
        ):
            row.active = False
        for item in version.network_sizes:
            if not isinstance(item, dict) or not item.get("place"):
                continue
            place = self._place(item["place"])
            s.add(
                NetworkSize(
                    place_id=place.id,
                    version_id=version.id,
                    cities=item.get("cities"),
                    countries=item.get("countries"),
                    as_of=item.get("as_of")
                    or (version.published or version.fetched_at).date().isoformat(),
                    sentence=str(item.get("evidence") or ""),
                    active=True,
                )
            )

    # --- reads -------------------------------------------------------------------------------
    def field_evidence(self, key: str) -> dict[str, dict[str, list[str]]]:
        rows = self.session.execute(
            select(Claim.field, Claim.value, StoryRecord.key, StoryVersion.version)
            .join(Partnership, Claim.partnership_id == Partnership.id)
            .join(StoryVersion, Claim.version_id == StoryVersion.id)
            .join(StoryRecord, Claim.story_id == StoryRecord.id)
            .where(Partnership.key == key, Claim.active.is_(True))
            .order_by(Claim.field, Claim.value, StoryRecord.key)
        )
        out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for fld, value, story_key, number in rows:
            out[fld][value].append(f"{story_key}/v{number}")
        return {f: dict(v) for f, v in out.items()}

    def snapshot(self) -> dict[str, Any]:
        s = self.session
        result: dict[str, Any] = {}
        for p in s.scalars(select(Partnership).order_by(Partnership.key)):
            changes = []
            for c in s.scalars(
                select(ChangeRecord)
                .where(ChangeRecord.partnership_id == p.id)
                .order_by(ChangeRecord.id)
            ):
                evidence = s.execute(
                    select(StoryRecord.key, StoryVersion.version)
                    .join(StoryVersion, StoryVersion.story_id == StoryRecord.id)
                    .join(ChangeEvidence, ChangeEvidence.version_id == StoryVersion.id)
                    .where(ChangeEvidence.change_id == c.id)
                    .order_by(StoryRecord.key, StoryVersion.version)
                ).all()
                changes.append(
                    {
                        "key": c.key,
                        "kind": c.kind,
                        "field": c.field,
                        "old": c.old_value,
                        "new": c.new_value,
                        "at": c.at.isoformat(),
                        "title": c.title,
                        "evidence": [f"{k}/v{v}" for k, v in evidence],
                    }
                )
            events = [
                {"kind": e.kind, "date": e.event_date, "anchor": e.anchor_date, "active": e.active}
                for e in sorted(
                    s.scalars(select(Event).where(Event.partnership_id == p.id)),
                    key=lambda e: (e.anchor_date, e.kind, e.event_date or ""),
                )
            ]
            result[p.key] = {
                "relation": p.relation,
                "status": p.status,
                "began": p.began,
                "latest_event": p.latest_event,
                "latest_event_date": p.latest_event_date,
                "retracted": p.retracted,
                "first_reported": p.first_reported.isoformat(),
                "last_reported": p.last_reported.isoformat(),
                "evidence": self.field_evidence(p.key),
                "events": events,
                "changes": changes,
            }
        return result


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
