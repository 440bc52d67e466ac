"""Local HTTP servers for the demo and for tests: static files with conditional GET, and faults.

`serve_directory(root)` serves the files below `root` on 127.0.0.1 with a strong ETag
(hash of the bytes) and Last-Modified, answering If-None-Match / If-Modified-Since with
304; no directory listings, nothing outside `root`.

`serve_faults()` answers, for tests of error handling:
- `/status/<code>[?retry_after=S]`: that status (with Retry-After when given);
- `/malformed.xml`: ill-formed XML;
- `/slow?delay=S`: waits S seconds, then an empty valid RSS feed;
- `/truncated`: promises 1000 bytes, sends 100 and closes the connection.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".jsonl": "application/x-ndjson; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
EMPTY_RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>empty</title>'
             b"<link>http://127.0.0.1/</link><description>empty</description></channel></rss>")
MALFORMED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>broken & bad</titel>'


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_: Any) -> None:
        return

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              head: bool = False) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not head:
            self.wfile.write(body)


def _static_handler(root: Path) -> type[BaseHTTPRequestHandler]:
    base = root.resolve()

    class Static(_Quiet):
        def do_GET(self) -> None:
            self._serve(head=False)

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def _serve(self, head: bool) -> None:
            path = (base / unquote(urlsplit(self.path).path).lstrip("/")).resolve()
            if not path.is_file() or not path.is_relative_to(base):
                self._send(404, b"not found", {"Content-Type": "text/plain"}, head)
                return
            data = path.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            mtime = int(path.stat().st_mtime)
            headers = {
                "Content-Type": CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                "ETag": etag,
                "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
            }
            if self._not_modified(etag, mtime):
                self.send_response(304)
                for key in ("ETag", "Last-Modified"):
                    self.send_header(key, headers[key])
                self.end_headers()
                return
            self._send(200, data, headers, head)

        def _not_modified(self, etag: str, mtime: int) -> bool:
            match = self.headers.get("If-None-Match")
            if match is not None:
                return etag in [t.strip() for t in match.split(",")] or match.strip() == "*"
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    when = email.utils.parsedate_to_datetime(since).timestamp()
                except (TypeError, ValueError):
                    return False
                return mtime <= when
            return False

    return Static


class _Faults(_Quiet):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path.startswith("/status/"):
            code = int(url.path.rsplit("/", 1)[1])
            headers = {"Content-Type": "text/plain"}
            if "retry_after" in query:
                headers["Retry-After"] = query["retry_after"][0]
            self._send(code, f"status {code}".encode(), headers)
        elif url.path == "/malformed.xml":
            self._send(200, MALFORMED, {"Content-Type": "application/xml"})
        elif url.path == "/slow":
            time.sleep(float(query.get("delay", ["5"])[0]))
            self._send(200, EMPTY_RSS, {"Content-Type": "application/rss+xml"})
        elif url.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(EMPTY_RSS[:100])
            self.wfile.flush()
            self.close_connection = True
        else:
            self._send(404, b"not found", {"Content-Type": "text/plain"})


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler], host: str, port: int) -> Iterator[str]:
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_directory(root: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `root` over HTTP; yields the base URL (no trailing slash)."""
    with _serve(_static_handler(root), host, port) as url:
        yield url


@contextmanager
def serve_faults(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """A server whose paths fail in documented ways; yields the base URL."""
    with _serve(_Faults, host, port) as url:
        yield url
