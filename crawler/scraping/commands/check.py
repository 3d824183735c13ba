"""`scrapy check` for this project, with ``--replicas``: run every spider's contracts
(crawler.scraping.contracts) against the bundled site replicas on 127.0.0.1 instead of the real sites,
so the check needs no network. Without it the contracts fetch the sites themselves."""

from __future__ import annotations

import argparse
import json
from typing import Any

from scrapy.commands.check import Command as ScrapyCheck


class Command(ScrapyCheck):
    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--replicas",
            action="store_true",
            help="check against the bundled site replicas (offline)",
        )

    def run(self, args: list[str], opts: Any) -> None:
        if not opts.replicas:
            super().run(args, opts)
            return
        from crawler.replicas import ReplicaServer

        assert self.settings is not None
        with ReplicaServer() as server:
            for name, value in (
                ("SITE_MIRRORS", server.mirrors()),
                ("SITE_START_URLS", server.start_urls()),
            ):
                self.settings.set(name, json.dumps(value), priority="cmdline")
            self.settings.set("SISTERCITY_KNOWN_URLS", None, priority="cmdline")
            self.settings.set("HTTPCACHE_ENABLED", False, priority="cmdline")
            super().run(args, opts)
