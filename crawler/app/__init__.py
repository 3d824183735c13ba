"""The application around the crawl: the `sistercity` command line, the runner that crawls every
site in one process, the store's lock, site health and progress reporting."""
