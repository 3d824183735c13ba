"""One module (or package) per replicated site, each defining ``SITE``."""
