"""Health rules on run records: each flag is raised when its condition holds, and only then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.app.health import HealthSettings, RunRecord, evaluate

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
HEALTHY = RunRecord(
    finished=True, requests=20, responses_ok=20, stories=12, generic=0, failed_fetches=0
)


def kinds(
    runs: list[RunRecord], times: list[datetime] | None = None, **settings: float
) -> list[str]:
    flags = evaluate("asiae", runs, times or [], NOW, "run-7", HealthSettings(**settings))  # type: ignore[arg-type]
    return [f.kind for f in flags]


def test_a_healthy_run_raises_nothing() -> None:
    assert kinds([HEALTHY, HEALTHY]) == []


def test_flag_ids_are_stable_and_readable() -> None:
    run = RunRecord(
        finished=False, requests=3, responses_ok=0, stories=0, generic=0, failed_fetches=3
    )
    flags = evaluate("asiae", [run], [], NOW, "run-7")
    assert [f.id for f in flags] == ["run-7/asiae/failed", "run-7/asiae/errors"]
    assert flags[0].as_dict()["raised_at"] == "2026-11-22T06:00:00+00:00"


def test_unreachable_site_is_failed() -> None:
    down = RunRecord(
        finished=True, requests=4, responses_ok=0, stories=0, generic=0, failed_fetches=4
    )
    assert "failed" in kinds([down])


def test_no_stories_needs_n_empty_runs_with_pages_loading() -> None:
    empty = RunRecord(
        finished=True, requests=5, responses_ok=5, stories=0, generic=0, failed_fetches=0
    )
    assert "no_stories" not in kinds([empty, HEALTHY], empty_runs=2)
    assert "no_stories" in kinds([empty, empty], empty_runs=2)
    assert "no_stories" not in kinds([empty], empty_runs=2)  # not enough history yet
    assert "no_stories" in kinds([empty], empty_runs=1)


def test_markup_changed_when_generic_share_passes_threshold() -> None:
    half = RunRecord(
        finished=True, requests=20, responses_ok=20, stories=10, generic=5, failed_fetches=0
    )
    most = RunRecord(
        finished=True, requests=20, responses_ok=20, stories=10, generic=6, failed_fetches=0
    )
    assert "markup_changed" not in kinds([half], generic_share=0.5)
    assert "markup_changed" in kinds([most], generic_share=0.5)


def test_error_rate() -> None:
    some = RunRecord(
        finished=True, requests=20, responses_ok=15, stories=10, generic=0, failed_fetches=5
    )
    many = RunRecord(
        finished=True, requests=20, responses_ok=14, stories=10, generic=0, failed_fetches=6
    )
    assert "errors" not in kinds([some], error_rate=0.25)
    assert "errors" in kinds([many], error_rate=0.25)


def test_silence_against_the_site_rhythm() -> None:
    every_two_days = [NOW - timedelta(days=40) + timedelta(days=2 * i) for i in range(10)]
    # newest story 22 days old; the usual gap is 2 days: 3x2=6 < 7 minimum, so 7 days allowed
    assert "silent" in kinds([HEALTHY], every_two_days)
    recent = [t + timedelta(days=20) for t in every_two_days]  # newest 2 days old
    assert "silent" not in kinds([HEALTHY], recent)
    assert "silent" not in kinds([HEALTHY], every_two_days[:3])  # too little history to judge
