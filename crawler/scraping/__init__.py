"""The Scrapy side: the base news spider the four site spiders build on, the parsing helpers
their parsers share, items, downloader middlewares, the replica mirrors, exporters, the compact
HTTP cache, spider contracts and the project's Scrapy commands."""
