"""One redaction helper for every message that can contain a URL or a credential.

Errors, logs, `source_state.last_error`, `stimmung sources` and the report's source
health all pass through `redact`, so `user:pass@`, `?token=…`, `key=…`, `secret=…`,
`signature=…` and the like never leave the process in clear text.
"""

from __future__ import annotations

import logging
import re

MASK = "***"

# parameter names whose values are secrets (matched case-insensitively, as a whole
# name or as its suffix: `api_key`, `X-Amz-Signature`, `client_secret`, `sig`)
_SECRET_NAMES = (
    r"(?:[a-z0-9]+[_-])*(?:token|key|apikey|secret|signature|sig|password|passwd|pwd|pass"
    r"|auth|authorization|credentials?|session|sessionid|code|jwt|bearer)"
)
# in free text (not after `?` or `&`) only names that cannot be a placeholder such as
# "expected key=value"
_FREE_NAMES = (
    r"(?:[a-z0-9]+[_-])*(?:token|secret|signature|password|passwd|apikey|api[_-]key"
    r"|access[_-]key|private[_-]key|client[_-]secret)"
)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#'\"<>]+@")
_VALUE = r"(=|%3D)((?:(?!%26)[^&#\s'\"<>;,])*)"
_PARAM = re.compile(rf"(?i)(?:(?<=[?&;#])|(?<=%3F)|(?<=%26))({_SECRET_NAMES}){_VALUE}")
_FREE = re.compile(rf"(?i)(?<![a-z0-9_?&;#-])({_FREE_NAMES}){_VALUE}")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}")


def _mask_value(m: re.Match[str]) -> str:
    value = m.group(3)
    if not value or value.startswith(MASK):  # empty, or masked before: redact is idempotent
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}{MASK}"


def redact(text: str) -> str:
    """`text` with URL credentials, secret query parameters and bearer tokens masked."""
    if not text:
        return text
    text = _USERINFO.sub(rf"\g<1>{MASK}@", text)
    for pattern in (_PARAM, _FREE):
        text = pattern.sub(_mask_value, text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)


def redact_url(url: str) -> str:
    """A URL for messages: credentials and secret parameters masked, the rest kept."""
    return redact(url)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's message (installed by the CLI on its
    handler, so logs never show credentials or tokens from URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
