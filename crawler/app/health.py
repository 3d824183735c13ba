"""Health checks: is each site still giving us stories the way it should?

Pure functions over run records, so they are tested without crawling. A site is flagged when:

- ``failed``: its spider did not finish, or not one page could be fetched;
- ``no_stories``: its pages load but it yielded no story for ``empty_runs`` runs in a row;
- ``markup_changed``: more than ``generic_share`` of its stories needed the generic extractor,
  so its own selectors stopped matching;
- ``errors``: more than ``error_rate`` of its requests failed;
- ``lost``: a story it asked for, or a listing page, could not be fetched (it waits in the
  retry queue; stories behind a lost listing page are unseen until it is fetched);
- ``silent``: no new story for longer than ``silence_factor`` times its usual gap between new
  stories (and at least ``silence_min_days``), once it has ``silence_min_history`` stories.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class HealthSettings:
    empty_runs: int = 2
    generic_share: float = 0.5
    error_rate: float = 0.25
    silence_factor: float = 3.0
    silence_min_days: float = 7.0
    silence_min_history: int = 5

    @classmethod
    def from_settings(cls, settings: Any) -> HealthSettings:
        return cls(
            empty_runs=settings.getint("SISTERCITY_HEALTH_EMPTY_RUNS", cls.empty_runs),
            generic_share=settings.getfloat("SISTERCITY_HEALTH_GENERIC_SHARE", cls.generic_share),
            error_rate=settings.getfloat("SISTERCITY_HEALTH_ERROR_RATE", cls.error_rate),
            silence_factor=settings.getfloat(
                "SISTERCITY_HEALTH_SILENCE_FACTOR", cls.silence_factor
            ),
            silence_min_days=settings.getfloat(
                "SISTERCITY_HEALTH_SILENCE_MIN_DAYS", cls.silence_min_days
            ),
            silence_min_history=settings.getint(
                "SISTERCITY_HEALTH_SILENCE_MIN_HISTORY", cls.silence_min_history
            ),
        )


@dataclass(frozen=True)
class RunRecord:
    """One site's numbers from one crawl."""

    finished: bool
    requests: int
    responses_ok: int  # 2xx and 304
    stories: int
    generic: int
    failed_fetches: int
    lost: int = 0  # stories asked for that ended as failures
    lost_listings: int = 0  # listing pages that could not be fetched
    retry_queue: int = 0  # pages waiting in the retry queue after the run


@dataclass(frozen=True)
class Flag:
    site: str
    kind: str
    message: str
    raised_at: datetime
    id: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["raised_at"] = self.raised_at.isoformat()
        return data


def evaluate(
    site: str,
    runs: Sequence[RunRecord],
    new_story_times: Sequence[datetime],
    now: datetime,
    run_id: str,
    settings: HealthSettings = HealthSettings(),
) -> list[Flag]:
    """Flags for ``site``; ``runs`` newest first (the run just made first)."""
    if not runs:
        return []
    current = runs[0]
    flags: list[tuple[str, str]] = []
    if not current.finished or current.responses_ok == 0:
        flags.append(("failed", f"{site}: the crawl failed; no page could be fetched"))
    recent = list(runs[: settings.empty_runs])
    if len(recent) == settings.empty_runs and all(
        r.responses_ok > 0 and r.stories == 0 for r in recent
    ):
        flags.append(
            (
                "no_stories",
                f"{site}: pages load but no story came out in the last {len(recent)} runs",
            )
        )
    if current.stories and current.generic / current.stories > settings.generic_share:
        flags.append(
            (
                "markup_changed",
                f"{site}: {current.generic} of {current.stories} stories needed the generic "
                "extractor; the site's markup has probably changed",
            )
        )
    if current.requests and current.failed_fetches / current.requests > settings.error_rate:
        flags.append(
            (
                "errors",
                f"{site}: {current.failed_fetches} of {current.requests} requests failed",
            )
        )
    if current.lost or current.lost_listings:
        what = [
            f"{n} {noun} could not be fetched"
            for n, noun in ((current.lost, "stories"), (current.lost_listings, "listing pages"))
            if n
        ]
        flags.append(
            (
                "lost",
                f"{site}: {' and '.join(what)}; {current.retry_queue} pages wait in the retry "
                "queue for the next run",
            )
        )
    silence = silence_message(site, new_story_times, now, settings)
    if silence:
        flags.append(("silent", silence))
    return [Flag(site, kind, message, now, f"{run_id}/{site}/{kind}") for kind, message in flags]


def silence_message(
    site: str, times: Sequence[datetime], now: datetime, settings: HealthSettings
) -> str | None:
    """Say so when the newest story is much older than the site's usual gap between stories."""
    ordered = sorted(set(times))
    if len(ordered) < settings.silence_min_history:
        return None
    gaps = [(b - a).total_seconds() for a, b in zip(ordered, ordered[1:], strict=False)]
    usual = statistics.median(gaps)
    allowed = max(
        timedelta(seconds=usual * settings.silence_factor),
        timedelta(days=settings.silence_min_days),
    )
    quiet = now - ordered[-1]
    if quiet <= allowed:
        return None
    return (
        f"{site}: no new story for {quiet.days} days (usually one every {usual / 86400:.1f} days)"
    )
