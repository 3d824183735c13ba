"""sistercity: a crawler and change monitor for sister-city partnerships."""

__version__ = "0.1.0"
