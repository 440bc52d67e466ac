"""A requests Session with an overall deadline and a body-size cap, for the clients we
do not drive ourselves (praw): httpx-based sources get the same from `http.HttpClient`.

requests' own timeout bounds each socket read, so a server dripping one byte every few
seconds never trips it; here the body is read in chunks against a deadline per request
and a maximum size (counted after decompression, which urllib3 does in bounded steps).
"""

from __future__ import annotations

import time
from typing import Any

import requests

_CHUNK = 64 * 1024


class BoundsExceeded(requests.RequestException):
    """The answer took longer than `http.deadline_s` or was larger than `http.max_body_mb`
    (not retried: the same server would do it again)."""


class BoundedSession(requests.Session):
    def __init__(self, deadline_s: float, max_body_bytes: int) -> None:
        super().__init__()
        self.deadline_s = deadline_s
        self.max_body_bytes = max_body_bytes

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
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
                    raise BoundsExceeded(f"no complete answer within the deadline of "
                                         f"{self.deadline_s:g} s (http.deadline_s)")
                parts.append(chunk)
        except BaseException:
            response.close()
            raise
        response._content = b"".join(parts)  # what `response.content` returns
        response._content_consumed = True
        return response

    def _too_large(self, detail: str) -> str:
        return (f"response body larger than the limit of {self.max_body_bytes / 1e6:g} MB "
                f"(http.max_body_mb){detail}")
