"""One threaded HTTP server on 127.0.0.1 serving every replica site under its own path prefix.

Each real origin (``https://www.asiae.co.kr``) is mounted at ``/<mount>`` so that
``SITE_MIRRORS`` can map it. Besides pages the server keeps what tests need to poke at:
the edition (1 or 2), injected faults (status codes with ``Retry-After``, dropped connections,
and the fault matrix of ``inject``: hangs, truncated or huge bodies, a wrong charset, redirect
loops, non-HTML and empty answers), sites whose markup is switched to something unknown, and a
log of the requests it saw.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SYNTHETIC_HEADER = ("X-Replica", "synthetic; hand-built for sistercity tests, not real news")


@dataclass(frozen=True)
class Resource:
    """One response of a replica: body bytes as sent, with its Content-Type."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    last_modified: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    headers: tuple[tuple[str, str], ...] = ()


class ReplicaSite(ABC):
    """A site replica. Subclasses set ``slug``, ``origins`` and ``start_urls`` and build pages.

    ``origins`` maps each real origin (scheme and host) to the mount prefix it is served under.
    ``resources(edition)`` returns every page keyed by its real URL (path and query included).
    """

    slug: str = ""
    origins: Mapping[str, str] = {}
    start_urls: tuple[str, ...] = ()

    @abstractmethod
    def resources(self, edition: int) -> dict[str, Resource]: ...


def load_sites() -> list[ReplicaSite]:
    """The replica (``crawler.replicas.sites.<site>``, its ``SITE``) of every registered site."""
    from crawler.scraping.sites import site_names

    found = []
    for name in site_names():
        module = importlib.import_module(f"crawler.replicas.sites.{name}")
        if isinstance(getattr(module, "SITE", None), ReplicaSite):
            found.append(module.SITE)
    return found


# What ``inject`` can do to a page (besides answering with a status code).
FAULT_KINDS = (
    "status",  # answer with ``status`` (0: drop the connection)
    "hang",  # accept, say nothing for ``delay`` seconds, then drop the connection
    "truncated",  # promise the whole body, send half, drop the connection
    "charset",  # the real body with a Content-Type naming another charset (``charset``)
    "redirect_loop",  # 302 back to the same URL
    "huge",  # the real page padded to ``size`` bytes of markup
    "non_html",  # 200 with a PDF
    "empty",  # 200 text/html with no body
)


@dataclass
class Fault:
    status: int  # 0 drops the connection without an answer; 200 with a delay is a slow answer
    times: int
    retry_after: str | None = None
    delay: float = 0.0
    kind: str = "status"
    charset: str = "iso-8859-1"
    size: int = 10 * 1024 * 1024


@dataclass
class _State:
    edition: int = 1
    faults: dict[str, Fault] = field(default_factory=dict)
    unknown_markup: set[str] = field(default_factory=set)
    log: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_ATTR_RE = re.compile(r'\b(class|id)="([^"]*)"')
_H1_RE = re.compile(r"<(/?)h1\b", re.I)


def unknown_markup(html: bytes) -> bytes:
    """The same page with every class and id renamed and no ``<h1>``: markup no selector knows."""
    text = html.decode("latin-1")
    text = _ATTR_RE.sub(lambda m: f'{m.group(1)}="zz-{m.group(2)}"', text)
    text = _H1_RE.sub(lambda m: f"<{m.group(1)}div", text)
    return text.encode("latin-1")


class ReplicaServer:
    """Serve all replicas. Use as a context manager or call ``start()``/``stop()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, edition: int = 1):
        self.sites = load_sites()
        self.state = _State(edition=edition)
        self._cache: dict[int, dict[str, tuple[str, Resource]]] = {}
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- addresses -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def mirrors(self) -> dict[str, str]:
        """The ``SITE_MIRRORS`` setting that sends every real origin here."""
        return {o: f"{self.base_url}/{m}" for s in self.sites for o, m in s.origins.items()}

    def start_urls(self) -> dict[str, list[str]]:
        """The ``SITE_START_URLS`` setting for the replicas' listing pages (real URLs)."""
        return {s.slug: list(s.start_urls) for s in self.sites}

    def settings(self) -> dict[str, str]:
        """Both settings as JSON strings, ready for ``-s`` or the environment."""
        return {
            "SITE_MIRRORS": json.dumps(self.mirrors()),
            "SITE_START_URLS": json.dumps(self.start_urls()),
        }

    # --- control -------------------------------------------------------------------------
    def set_edition(self, edition: int) -> None:
        self.state.edition = edition

    def inject_fault(
        self, url: str, status: int, times: int = 1, retry_after: str | None = None
    ) -> None:
        """Answer the next ``times`` requests for real ``url`` with ``status`` (0: drop the connection)."""
        with self.state.lock:
            self.state.faults[url] = Fault(status, times, retry_after)

    def slow_down(self, url: str, seconds: float, times: int = 1) -> None:
        """Answer the next ``times`` requests for real ``url`` normally, but only after ``seconds``."""
        with self.state.lock:
            self.state.faults[url] = Fault(200, times, delay=seconds)

    def inject(self, url: str, kind: str, times: int = 1, **options: Any) -> None:
        """Fault ``kind`` (one of ``FAULT_KINDS``) for the next ``times`` requests of real
        ``url``; options: ``status``, ``retry_after``, ``delay``, ``charset``, ``size``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        status = int(options.pop("status", 200))
        with self.state.lock:
            self.state.faults[url] = Fault(status, times, kind=kind, **options)

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def set_unknown_markup(self, slug: str, on: bool = True) -> None:
        (self.state.unknown_markup.add if on else self.state.unknown_markup.discard)(slug)

    def requests(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.log)

    def lookup(self, edition: int, mount_path: str) -> tuple[str, Resource] | None:
        """The (site slug, resource) served at ``/<mount>/path?query`` in that edition."""
        if edition not in self._cache:
            table: dict[str, tuple[str, Resource]] = {}
            for site in self.sites:
                for url, resource in site.resources(edition).items():
                    table[self.mount_path(site, url)] = (site.slug, resource)
            self._cache[edition] = table
        return self._cache[edition].get(mount_path)

    @staticmethod
    def mount_path(site: ReplicaSite, url: str) -> str:
        parts = urlsplit(url)
        mount = site.origins[f"{parts.scheme}://{parts.netloc}"]
        return f"/{mount}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    def real_url(self, mount_path: str) -> str | None:
        for site in self.sites:
            for origin, mount in site.origins.items():
                if (
                    mount_path == f"/{mount}"
                    or mount_path.startswith(f"/{mount}/")
                    or mount_path.startswith(f"/{mount}?")
                ):
                    return origin + mount_path[len(mount) + 1 :]
        return None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> ReplicaServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="replicas", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- HTTP ----------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "sistercity-replica/1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # the request log below is what tests read

            def do_HEAD(self) -> None:
                self._answer(send_body=False)

            def do_GET(self) -> None:
                self._answer(send_body=True)

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/_replica/edition":
                    server.set_edition(int(query["n"]))
                elif parts.path == "/_replica/markup":
                    server.set_unknown_markup(query["site"], query.get("on", "1") == "1")
                elif parts.path == "/_replica/fault":
                    options: dict[str, Any] = {}
                    for name, cast in (("status", int), ("delay", float), ("size", int)):
                        if name in query:
                            options[name] = cast(query[name])
                    for name in ("charset", "retry_after"):
                        if name in query:
                            options[name] = query[name]
                    server.inject(
                        query["url"], query["kind"], int(query.get("times", 1)), **options
                    )
                elif parts.path == "/_replica/clear":
                    server.clear_faults()
                else:
                    self._send(404, b"unknown control\n", "text/plain")
                    return
                self._send(204, b"", "text/plain")

            def _answer(self, send_body: bool) -> None:
                real = server.real_url(self.path)
                with server.state.lock:
                    server.state.log.append(
                        {
                            "path": self.path,
                            "url": real,
                            "headers": dict(self.headers.items()),
                            "at": time.monotonic(),
                        }
                    )
                    fault = server.state.faults.get(real or "")
                    if fault and fault.times > 0:
                        fault.times -= 1
                    else:
                        fault = None
                if fault is not None and fault.kind == "hang":
                    time.sleep(fault.delay)
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault is not None and fault.kind == "redirect_loop":
                    # Back to itself, by its real URL (the mirror maps it here again).
                    self._send(302, b"", "text/html", [("Location", real or "/")], send_body)
                    return
                if fault is not None and fault.kind == "non_html":
                    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
                    self._send(200, pdf, "application/pdf", [], send_body)
                    return
                if fault is not None and fault.kind == "empty":
                    self._send(200, b"", "text/html; charset=utf-8", [], send_body)
                    return
                if fault is not None and fault.kind != "status":
                    self._answer_page(fault, send_body)
                    return
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                    fault = None
                if fault is not None:
                    if fault.status == 0:
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    extra = [("Retry-After", fault.retry_after)] if fault.retry_after else []
                    self._send(fault.status, b"replica fault\n", "text/plain", extra, send_body)
                    return
                found = server.lookup(server.state.edition, self.path)
                if found is None:
                    self._send(
                        404,
                        b"<html><body><h1>404 Not Found</h1></body></html>",
                        "text/html",
                        [],
                        send_body,
                    )
                    return
                slug, resource = found
                body = resource.body
                if slug in server.state.unknown_markup and resource.content_type.startswith(
                    "text/html"
                ):
                    body = unknown_markup(body)
                etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                headers = [
                    ("ETag", etag),
                    ("Last-Modified", format_datetime(resource.last_modified, usegmt=True)),
                    *resource.headers,
                ]
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", None, headers, False)
                    return
                self._send(resource.status, body, resource.content_type, headers, send_body)

            def _answer_page(self, fault: Fault, send_body: bool) -> None:
                """The real page, spoilt by ``fault`` (truncated, charset or huge)."""
                found = server.lookup(server.state.edition, self.path)
                if found is None:
                    self._send(404, b"not found\n", "text/plain", [], send_body)
                    return
                resource = found[1]
                body, content_type = resource.body, resource.content_type
                if fault.kind == "charset":
                    content_type = f"text/html; charset={fault.charset}"
                elif fault.kind == "huge":
                    filler = b'<div class="ad" hidden>advertisement</div>\n'
                    pad = filler * max(0, (fault.size - len(body)) // len(filler))
                    body = body.replace(b"</body>", pad + b"</body>", 1)
                elif fault.kind == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if send_body:
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self._send(resource.status, body, content_type, [], send_body)

            def _send(
                self,
                status: int,
                body: bytes,
                content_type: str | None,
                headers: list[tuple[str, str]] | tuple[()] = (),
                send_body: bool = True,
            ) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header(*SYNTHETIC_HEADER)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body) if status != 304 else 0))
                self.end_headers()
                if send_body and status != 304:
                    self.wfile.write(body)

        return Handler
