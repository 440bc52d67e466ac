"""A requests Session with an overall deadline and a body-size cap, for the clients we
do not drive ourselves (praw): httpx-based sources get the same from `http.HttpClient`.

requests' own timeout bounds each socket read, so a server dripping one byte every few
seconds never trips it. Here a watchdog cuts the request's connection when the deadline
passes (so a drip in the status line or headers ends too), the body is read in chunks
against the deadline, and its size is capped (counted after decompression, which
urllib3 does in bounded steps).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_CHUNK = 64 * 1024


class BoundsExceeded(requests.RequestException):
    """The answer took longer than `http.deadline_s` or was larger than `http.max_body_mb`
    (not retried: the same server would do it again)."""


class _InFlight(threading.local):
    """The calling thread's request in progress: {"conn": connection, "expired": bool}."""

    request: dict[str, Any] | None = None


_in_flight = _InFlight()


class _Tracked:
    """Records the connection a request goes out on, so the watchdog can cut it."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        if _in_flight.request is not None:
            _in_flight.request["conn"] = self
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _TrackedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def _cut(request: dict[str, Any]) -> None:
    """The deadline passed: shut the connection down, which ends any blocked read."""
    request["expired"] = True
    sock = getattr(request.get("conn"), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


class BoundedSession(requests.Session):
    def __init__(self, deadline_s: float, max_body_bytes: int) -> None:
        super().__init__()
        self.deadline_s = deadline_s
        self.max_body_bytes = max_body_bytes
        for prefix in ("http://", "https://"):
            self.mount(prefix, _TrackedAdapter())

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        current: dict[str, Any] = {"conn": None, "expired": False}
        _in_flight.request = current
        watchdog = threading.Timer(self.deadline_s, _cut, args=(current,))
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._send(request, current, **kwargs)
        except Exception as exc:  # a cut connection surfaces as whatever layer noticed it
            if current["expired"] and not isinstance(exc, BoundsExceeded):
                raise BoundsExceeded(self._late()) from exc
            raise
        finally:
            watchdog.cancel()
            _in_flight.request = None

    def _send(self, request: requests.PreparedRequest, current: dict[str, Any],
              **kwargs: Any) -> requests.Response:
        end = time.monotonic() + self.deadline_s
        kwargs["stream"] = True
        response = super().send(request, **kwargs)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                raise BoundsExceeded(self._too_large(f"; declared {int(declared):,} bytes"))
            parts: list[bytes] = []
            size = 0
            while True:
                # read1: what has arrived (a drip must not block a 64 KiB read for hours)
                chunk = response.raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise BoundsExceeded(self._too_large(""))
                if time.monotonic() > end:
                    raise BoundsExceeded(self._late())
                parts.append(chunk)
            if current["expired"]:  # the watchdog cut the body short
                raise BoundsExceeded(self._late())
        except BaseException:
            response.close()
            raise
        response._content = b"".join(parts)  # what `response.content` returns
        response._content_consumed = True
        return response

    def _late(self) -> str:
        return (f"no complete answer within the deadline of {self.deadline_s:g} s "
                "(http.deadline_s)")

    def _too_large(self, detail: str) -> str:
        return (f"response body larger than the limit of {self.max_body_bytes / 1e6:g} MB "
                f"(http.max_body_mb){detail}")
