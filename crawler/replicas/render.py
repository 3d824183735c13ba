"""Helpers for building replica pages from story data and Jinja templates."""

from __future__ import annotations

import sys
from abc import abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from crawler.replicas.server import ReplicaSite, Resource

SYNTHETIC_NOTE = "SYNTHETIC REPLICA: hand-built for sistercity's tests; not a real news page."
T = TypeVar("T")


def environment(template_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(["html", "jinja", "xml"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["SYNTHETIC_NOTE"] = SYNTHETIC_NOTE
    return env


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def pager(
    count: int,
    current: int,
    href: Callable[[int], str],
    prev: str | None = None,
    next_: str | None = None,
) -> list[tuple[str, str | None]]:
    """(label, href) links to pages 1…count, the current one without href.

    With ``prev``/``next_`` labels, a link to the page before and after comes first and last
    when there is one.
    """
    links: list[tuple[str, str | None]] = []
    if prev and current > 1:
        links.append((prev, href(current - 1)))
    links += [(str(n), None if n == current else href(n)) for n in range(1, count + 1)]
    if next_ and current < count:
        links.append((next_, href(current + 1)))
    return links


def edited_body(story: dict[str, Any], edition: int) -> list[str]:
    """The story's paragraphs in that edition: edition 2 applies ``edited`` ({index: new text})."""
    body = list(story["body"])
    if edition == 2:
        for index, text in (story.get("edited") or {}).items():
            body[int(index)] = text
    return body


def story_pages(
    story: dict[str, Any],
    stories: dict[str, dict[str, Any]],
    edition: int,
    blocks: Callable[[list[Any]], list[dict[str, Any]]],
) -> tuple[list[list[dict[str, Any]]], list[tuple[str, str]]]:
    """A story's pages of blocks in that edition, and its related (url, title) links there.

    The story has ``body`` or ``pages`` (a list of bodies); edition 2 replaces the block
    ``edited.index`` of the first page with ``edited.text``; ``related`` names other stories,
    which count only when ``stories`` (those of the edition) has them.
    """
    pages = [blocks(p) for p in story["pages"]] if "pages" in story else [blocks(story["body"])]
    if edition == 2 and "edited" in story:
        pages[0][story["edited"]["index"]] = {"text": story["edited"]["text"]}
    related = [(stories[k]["url"], stories[k]["title"]) for k in story["related"] if k in stories]
    return pages, related


class TemplatedReplica(ReplicaSite):
    """A replica built from ``stories.yaml`` and ``templates/`` next to its module.

    Subclasses set ``robots_txt`` besides ``slug``, ``origins`` and ``start_urls``; the parsed
    ``stories.yaml`` is ``self.data`` and the Jinja environment ``self.env``.
    """

    robots_txt: bytes = b""
    page_size = 5

    def __init__(self) -> None:
        folder = Path(sys.modules[type(self).__module__].__file__ or "").resolve().parent
        self.env = environment(folder / "templates")
        self.data: Any = load_yaml(folder / "stories.yaml")

    @staticmethod
    def in_edition(item: dict[str, Any], edition: int, key: str = "editions") -> bool:
        """Whether ``item`` is there in ``edition``: its ``key`` lists editions, both by default."""
        return edition in item.get(key, [1, 2])

    def paginate(self, items: Sequence[T]) -> list[Sequence[T]]:
        """``items`` cut into pages of ``page_size``."""
        return [items[i : i + self.page_size] for i in range(0, len(items), self.page_size)]

    def robots(self) -> dict[str, Resource]:
        """The same robots.txt on every origin."""
        return {
            f"{origin}/robots.txt": Resource(self.robots_txt, "text/plain")
            for origin in self.origins
        }

    def html(self, template: str, **context: Any) -> Resource:
        """A template rendered as a UTF-8 HTML page."""
        return Resource(self.env.get_template(template).render(**context).encode("utf-8"))


class ColumnReplica(TemplatedReplica):
    """A news CMS with one column listing its stories, a page at a time.

    ``stories.yaml`` has ``stories`` by key (each with ``url``, ``title``, ``body`` or ``pages``,
    ``related`` keys, maybe ``edited``: see ``story_pages``) and a ``listing`` of entries that
    name a story. ``listing.html`` gets the page's entries, page-number links and a next link.
    """

    def __init__(self) -> None:
        super().__init__()
        self.listing: list[dict[str, Any]] = self.data["listing"]
        self.stories: dict[str, dict[str, Any]] = self.data["stories"]

    def resources(self, edition: int) -> dict[str, Resource]:
        out = self.robots()
        stories = {k: s for k, s in self.stories.items() if self.in_edition(s, edition)}
        for story in stories.values():
            out.update(self.article(story, stories, edition))
        entries = [self.listing_entry(e) for e in self.listing if self.in_edition(e, edition)]
        chunks = self.paginate(entries)
        for number, chunk in enumerate(chunks, start=1):
            out[self.listing_url(number)] = self.html(
                "listing.html",
                entries=chunk,
                pager=pager(len(chunks), number, self.listing_url),
                next_url=self.listing_url(number + 1) if number < len(chunks) else None,
            )
        return out

    @abstractmethod
    def listing_url(self, page: int) -> str:
        """The real URL of the listing's page ``page`` (from 1)."""

    @abstractmethod
    def listing_entry(self, entry: dict[str, Any]) -> dict[str, str]:
        """What listing.html shows for one entry of the listing."""

    @abstractmethod
    def article(
        self, story: dict[str, Any], stories: dict[str, dict[str, Any]], edition: int
    ) -> dict[str, Resource]:
        """The pages served for one story, by real URL; ``stories``: those of the edition."""
