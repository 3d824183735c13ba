"""Rewrite a site's recorded pages from its replica (edition 1).

`python tests/refresh_fixtures.py <slug>`: only the raw pages are written (gzip of the exact bytes
served); tests/resources/<slug>/meta.json says which URL goes to which file, and the expected
<slug>.json stays hand-written.
"""

from __future__ import annotations

import gzip
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def refresh(slug: str) -> list[str]:
    """Write every page named in the site's meta.json; the file names written."""
    folder = ROOT / "tests" / "resources" / slug
    site = importlib.import_module(f"crawler.replicas.sites.{slug}").SITE
    resources = site.resources(1)
    written = []
    for case in json.loads((folder / "meta.json").read_text("utf-8")).values():
        for page in case["pages"]:
            resource = resources[page["url"]]
            if page["headers"]["Content-Type"] != resource.content_type:
                raise SystemExit(
                    f"{page['url']}: meta.json says {page['headers']['Content-Type']!r}, "
                    f"the replica serves {resource.content_type!r}"
                )
            (folder / page["file"]).write_bytes(gzip.compress(resource.body, mtime=0))
            written.append(page["file"])
    return written


def main(argv: list[str]) -> int:
    slugs = sorted(p.parent.name for p in (ROOT / "tests" / "resources").glob("*/meta.json"))
    if len(argv) != 1 or argv[0] not in slugs:
        print(f"usage: python tests/refresh_fixtures.py <{'|'.join(slugs)}>", file=sys.stderr)
        return 2
    for name in refresh(argv[0]):
        print("wrote", name)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
