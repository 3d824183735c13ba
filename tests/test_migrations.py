"""The schema comes only from the Alembic migrations, and they match the models exactly on
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from crawler.app.cli import EXIT_CONFIG, main
from storage.db import alembic_config, current_revision, head_revision, open_engine, upgrade
from storage.models import Base
from tests.storeconf import *  # noqa: F403


def differences(url: str) -> list[object]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_models(store_url: str) -> None:
    upgrade(store_url)
    assert current_revision(store_url) == head_revision()
    assert differences(store_url) == []


def test_upgrade_twice_is_harmless_and_downgrade_removes_everything(store_url: str) -> None:
    upgrade(store_url)
    upgrade(store_url)
    engine = open_engine(store_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(store_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(store_url)
    assert differences(store_url) == []


def test_cli_db_upgrade(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert "schema empty -> " in capsys.readouterr().out
    assert main(["db", "current", "--db", url]) == 0
    assert "up to date" in capsys.readouterr().out


def test_cli_db_reports_an_unreachable_store_without_a_traceback(capsys) -> None:  # type: ignore[no-untyped-def]
    assert (
        main(["db", "upgrade", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"])
        == EXIT_CONFIG
    )
    err = capsys.readouterr().err
    assert err.startswith("sistercity db: cannot use the store") and "Traceback" not in err


def test_the_newest_migration_is_read_from_the_files_as_alembic_reads_it() -> None:
    from storage.db import script_head

    assert script_head() == head_revision()


def test_opening_a_store_upgrades_one_behind_and_leaves_alembic_out_of_a_current_one(
    store_url: str,
) -> None:
    import subprocess
    import sys

    from storage import StoryStore

    upgrade(store_url)
    engine = open_engine(store_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(store_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "-1")
    finally:
        engine.dispose()
    assert current_revision(store_url) != head_revision()
    with StoryStore.open(store_url):
        pass
    assert current_revision(store_url) == head_revision()
    assert differences(store_url) == []
    opens = (
        "import sys; from storage import StoryStore; "
        f"StoryStore.open({store_url!r}).close(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", opens], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr[-2000:]
