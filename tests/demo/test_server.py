from __future__ import annotations

import http.client
import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from pipeline.demo.server import serve_directory, serve_faults


def test_files_etag_and_conditional_get(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(b"<rss/>")
    with serve_directory(tmp_path) as base:
        first = httpx.get(f"{base}/feed.xml")
        assert first.status_code == 200 and first.content == b"<rss/>"
        assert first.headers["Content-Type"].startswith("application/xml")
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert httpx.get(f"{base}/feed.xml", headers={"If-None-Match": etag}).status_code == 304
        assert httpx.get(f"{base}/feed.xml",
                         headers={"If-Modified-Since": modified}).status_code == 304
        (tmp_path / "feed.xml").write_bytes(b"<rss>new</rss>")
        assert httpx.get(f"{base}/feed.xml", headers={"If-None-Match": etag}).status_code == 200
        assert httpx.head(f"{base}/feed.xml").content == b""
        assert httpx.get(f"{base}/missing.xml").status_code == 404


def test_path_traversal_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("TOPSECRET")
    with serve_directory(root) as base:
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port)
        conn.request("GET", "/../secret.txt")  # sent as is, not normalised by a client
        response = conn.getresponse()
        assert response.status == 404 and b"TOPSECRET" not in response.read()
        conn.close()


def test_fault_paths() -> None:
    with serve_faults() as base:
        assert httpx.get(f"{base}/status/500").status_code == 500
        limited = httpx.get(f"{base}/status/429?retry_after=3")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
        assert b"<item>" not in httpx.get(f"{base}/malformed.xml").content
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{base}/slow?delay=1", timeout=0.2)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{base}/truncated")


def test_servers_bind_to_loopback_only(tmp_path: Path) -> None:
    with serve_directory(tmp_path) as base:
        host = urlsplit(base).hostname
        assert host == "127.0.0.1"
        with socket.create_connection((host, urlsplit(base).port), timeout=1):
            pass
