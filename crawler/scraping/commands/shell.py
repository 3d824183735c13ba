"""`scrapy shell` for this project: plain HTTP and no store.

The shell runs Scrapy's reactor in a background thread, where the Playwright handler's browser
start never completes, and nothing the shell fetches should land in the store. Article pages are
plain HTML, so the shell fetches through the mirror-aware handler over plain HTTP, with no item
pipelines. `-s` on the command line still wins.
"""

from typing import Any

from scrapy.commands.shell import Command as ScrapyShell

SHELL_SETTINGS = {
    "SISTERCITY_INNER_DOWNLOAD_HANDLER": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "ITEM_PIPELINES": {},
}


class Command(ScrapyShell):
    def process_options(self, args: list[str], opts: Any) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # Above the project's settings (which outrank a command's defaults), below -s.
        self.settings.setdict(SHELL_SETTINGS, priority="spider")
