"""The `sistercity` command: ``main(argv)`` → ``parse_args(argv)`` → ``run(args)`` → exit code.

Each sub-command is a module of this package with ``add_parser(subparsers)`` and
``run(args) -> int``; ``COMMANDS`` lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from crawler import __version__

COMMANDS: list[str] = [
    "crawl",
    "status",
    "partnerships",
    "partnership",
    "serve",
    "schedule",
    "demo",
    "feeds",
    "reprocess",
    "db",
    "classify",
]

SETTINGS_MODULE = "crawler.settings.base"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3  # configuration, store or disk error: nothing about the sites, fix the setup
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the lock; try again later

logger = logging.getLogger("sistercity")


class ConfigError(Exception):
    """A setting, option, path or store the command cannot work with; its text is the one line
    the operator reads."""


def setting_arg(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` for ``-s``, as with ``scrapy crawl -s``."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE: {text!r}")
    return name, value


def add_setting_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--set",
        type=setting_arg,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting, as with `scrapy crawl -s`",
    )


def describe(doc: str | None) -> str:
    """ "`sistercity x`: does y." -> "Does y."; the first paragraph of a module docstring."""
    first = (doc or "").strip().split("\n\n")[0].replace("\n", " ")
    first = re.sub(r"^`[^`]*`:\s*", "", first)
    return first[:1].upper() + first[1:]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sistercity",
        description="Crawl sister-city partnership news and publish changes as Atom feeds.",
    )
    parser.add_argument("--version", action="version", version=f"sistercity {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"crawler.app.cli.{name}")
        sub = module.add_parser(subparsers)
        sub.set_defaults(_run=module.run)
        if not sub.description:  # `--help` says what the command does: the module's summary
            sub.description = describe(module.__doc__)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def run(args: argparse.Namespace) -> int:
    try:
        return int(args._run(args))
    except Exception as exc:
        message = operator_error(exc)
        if message is None:
            raise
        fail(f"sistercity {args.command}: {message}", exc)
        return EXIT_CONFIG


def check_settings(defaults: Any, overrides: dict[str, str]) -> None:
    """Refuse ``-s NAME=VALUE`` whose value cannot be read as the setting's type, before
    anything starts (Scrapy would fail deep inside the crawl with a traceback)."""
    from scrapy.settings import BaseSettings

    for name, value in overrides.items():
        default = defaults.get(name)
        probe = BaseSettings({name: value})
        try:
            if isinstance(default, bool):
                probe.getbool(name)
            elif isinstance(default, int):
                int(str(value))
            elif isinstance(default, float):
                float(str(value))
            elif isinstance(default, dict) or (
                isinstance(default, str) and default.strip()[:1] in ("{", "[")
            ):  # dicts, and the JSON strings the environment variables give
                json.loads(value) if isinstance(value, str) else probe.getdict(name)
        except (ValueError, TypeError):
            kind = "JSON" if isinstance(default, str) else type(default).__name__
            raise ConfigError(f"bad setting -s {name}={value}: expected a {kind}") from None


def operator_error(exc: BaseException) -> str | None:
    """One line for an error of the setup (store, disk, setting) rather than of the code; None
    when ``exc`` is a bug, which keeps its traceback."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return f"bad store URL: {first_line(exc)}"
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        return f"store error: {first_line(orig or exc)}"
    if type(exc).__module__.startswith("alembic"):
        return f"store schema error: {first_line(exc)}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror}"
    return None


def first_line(exc: object) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def fail(line: str, exc: BaseException | None = None) -> None:
    """Print ``line`` on stderr and put it, with the traceback, in the log files."""
    print(line, file=sys.stderr)
    record = logger.makeRecord(
        logger.name,
        logging.ERROR,
        __file__,
        0,
        line,
        (),
        (type(exc), exc, exc.__traceback__) if exc is not None else None,
    )
    files = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    if not files:
        from crawler.config import var_dir

        try:
            log = var_dir() / "logs" / "sistercity.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            files = [logging.FileHandler(log, encoding="utf-8")]
            files[0].setFormatter(
                logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s")
            )
        except OSError:
            return  # the log itself is what cannot be written; stderr has the line
        try:
            files[0].handle(record)
        finally:
            files[0].close()
        return
    for handler in files:
        handler.handle(record)


def main(argv: Sequence[str] | None = None) -> int:
    # The project's settings from the installed package, wherever the command runs (Scrapy would
    # look for a scrapy.cfg above the working directory and find no spiders outside the project).
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
