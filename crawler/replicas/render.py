"""Helpers for building replica pages from story data and Jinja templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

SYNTHETIC_NOTE = "SYNTHETIC REPLICA: hand-built for sistercity's tests; not a real news page."


def environment(template_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(["html", "jinja", "xml"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["SYNTHETIC_NOTE"] = SYNTHETIC_NOTE
    return env


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
