"""Labels shared by the pipelines, the store and the feeds. Each has a one-line meaning."""

# How a story's fields were extracted.
EXTRACTION_SITE = "site"  # the site's own selectors matched
EXTRACTION_GENERIC = "generic"  # site selectors failed; meta tags, JSON-LD or trafilatura filled in

# What a fetch did to the store (urlwatch's job states).
CHANGE_NEW = "new"  # first time this story is seen
CHANGE_CHANGED = "changed"  # the normalized content differs from the latest version
CHANGE_UNCHANGED = "unchanged"  # same content as the latest version
CHANGE_ERROR = "error"  # the page could not be fetched or parsed

RELATIONS = {
    "sister": "sister cities / sister provinces (姐妹城市, 자매도시)",
    "friendship": "friendship cities (友好城市, 우호도시)",
    "friendly_cooperation": "friendly cooperation cities (友好合作城市, 우호협력도시)",
    "other": "another kind of formal city partnership",
}

EVENTS = {
    "established": "the partnership was signed or founded",
    "anniversary": "an anniversary of the partnership was marked",
    "renewed": "the partnership was renewed or reaffirmed",
    "upgraded": "the partnership was raised to a closer level",
    "exchange": "a visit, delegation or joint event between the partners",
    "suspended": "the partnership was put on hold",
    "terminated": "the partnership was ended",
    "mentioned": "the partnership is only mentioned",
}

STATUSES = {
    "proposed": "a letter of intent or plan, not yet signed",
    "active": "in force",
    "suspended": "on hold",
    "terminated": "ended",
}
