"""JSON exporters that keep time zones: Scrapy's encoder writes datetimes without their offset."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from scrapy.exporters import JsonItemExporter, JsonLinesItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder


class IsoJSONEncoder(ScrapyJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | date):
            return o.isoformat()
        return super().default(o)


class StoryJsonLinesExporter(JsonLinesItemExporter):
    def __init__(self, file: Any, **kwargs: Any):
        super().__init__(file, **kwargs)
        self.encoder = IsoJSONEncoder(**self._kwargs)


class StoryJsonExporter(JsonItemExporter):
    def __init__(self, file: Any, **kwargs: Any):
        super().__init__(file, **kwargs)
        self.encoder = IsoJSONEncoder(**self._kwargs)


def dumps(obj: Any, **kwargs: Any) -> str:
    """JSON text the way the exporters write it."""
    return json.dumps(obj, cls=IsoJSONEncoder, ensure_ascii=False, **kwargs)
