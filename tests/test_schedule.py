"""`sistercity schedule`: every trigger form builds, fires when it should, and starts for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from crawler.app.cli import parse_args
from crawler.app.cli.schedule import build_trigger
from tests.conftest import ROOT


def trigger(*argv: str):  # noqa: ANN201 - APScheduler's trigger types
    return build_trigger(parse_args(["schedule", *argv]))


@pytest.mark.parametrize(
    ("argv", "seconds", "max_jitter"),
    [
        (["--every", "30s"], 30, 1),  # 5% of 30 s rounds to 1 s
        (["--every", "15m"], 900, 45),
        (["--every", "6h"], 21_600, 1_080),
        (["--every", "1d"], 86_400, 4_320),
        (["--every", "6h", "--jitter", "10m"], 21_600, 600),
    ],
)
def test_every_forms(argv: list[str], seconds: int, max_jitter: int) -> None:
    before = datetime.now(UTC)
    built = trigger(*argv)
    assert built.interval == timedelta(seconds=seconds)
    assert built.jitter == max_jitter
    fire = built.get_next_fire_time(None, datetime.now(UTC))  # first run: one interval from now
    late = datetime.now(UTC) + timedelta(seconds=seconds + max_jitter)
    assert before + timedelta(seconds=seconds) <= fire <= late


@pytest.mark.parametrize(
    ("expr", "jitter", "spread", "expected"),
    [
        ("0 */6 * * *", [], 300, datetime(2026, 12, 1, 12, 0)),  # the form that crashed
        ("17 */6 * * *", ["--jitter", "30s"], 30, datetime(2026, 12, 1, 12, 17)),
        ("*/15 * * * *", [], 300, datetime(2026, 12, 1, 7, 45)),
        ("0 3 1 * *", [], 300, datetime(2027, 1, 1, 3, 0)),
        ("30 8 * 12 *", ["--jitter", "1m"], 60, datetime(2026, 12, 1, 8, 30)),
    ],
)
def test_cron_forms(expr: str, jitter: list[str], spread: int, expected: datetime) -> None:
    built = trigger("--cron", expr, *jitter)
    assert built.jitter == spread
    # Cron fields are wall-clock times in the trigger's zone (the host's by default).
    now = datetime(2026, 12, 1, 7, 31, tzinfo=built.timezone)
    fire = built.get_next_fire_time(None, now).replace(tzinfo=None)
    assert expected <= fire <= expected + timedelta(seconds=spread)


@pytest.mark.parametrize("expr", ["0 */6 * *", "61 * * * *", "* * * * * *", "every day"])
def test_bad_cron_exits_2(expr: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", "schedule", "--cron", expr],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "bad --cron expression" in done.stderr
    assert "Traceback" not in done.stderr


def test_cron_schedule_starts_and_stops_on_sigterm(tmp_path) -> None:  # noqa: ANN001
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.app.cli", "schedule", "--cron", "0 */6 * * *"],
        cwd=ROOT,
        env={**os.environ, "SISTERCITY_VAR_DIR": str(tmp_path / "var")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "Schedule started" in line or "Traceback" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    err = "".join(lines) + rest
    assert "Traceback" not in err, err
    assert proc.returncode == 0, err
    assert "Stopping the schedule" in err
