"""Rewrite this folder's page files from the replica (edition 1): `python tests/resources/<slug>/refresh_pages.py`.

Only the raw pages are written (gzip of the exact bytes served); meta.json says which URL goes to
which file, and the expected <slug>.json stays hand-written.
"""

import gzip
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

site = importlib.import_module(f"crawler.replicas.sites.{HERE.name}").SITE
resources = site.resources(1)
for case in json.loads((HERE / "meta.json").read_text("utf-8")).values():
    for page in case["pages"]:
        resource = resources[page["url"]]
        assert page["headers"]["Content-Type"] == resource.content_type, page["url"]
        (HERE / page["file"]).write_bytes(gzip.compress(resource.body, mtime=0))
        print("wrote", page["file"])
