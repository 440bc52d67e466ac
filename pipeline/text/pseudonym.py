"""Pseudonymous author ids: HMAC-SHA256 with a secret key, so ids are stable but not reversible.

The same (source, author) always maps to the same id under one key; without the key the id
cannot be recomputed from a user name. The key comes from the environment
(``STIMMUNG_PSEUDONYM_KEY``, at least 16 bytes, used as its UTF-8 bytes) and is never
logged or shown in ``repr``. Changing the key changes every id: keep it stable.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

logger = logging.getLogger(__name__)

__all__ = ["ENV_VAR", "MIN_KEY_BYTES", "PseudonymKeyMissing", "Pseudonymiser"]

ENV_VAR = "STIMMUNG_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
PREFIX = "a_"
HEX_CHARS = 20
# Author values that mean "no author": Reddit shows removed accounts as [deleted].
_NO_AUTHOR = frozenset({"", "[deleted]", "[removed]"})

_HOW_TO = (
    "set it to a long random secret and keep it stable (changing it changes every author id), "
    "e.g.\n  export {var}=$(python -c 'import secrets;print(secrets.token_hex(32))')"
)


class PseudonymKeyMissing(RuntimeError):
    """The pseudonymisation key is not set or too short."""


class Pseudonymiser:
    """``pseudonymise(source, author)`` -> ``"a_" + 20 hex chars`` of HMAC-SHA256, or None."""

    __slots__ = ("__key",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes | bytearray):
            raise TypeError("the pseudonymisation key must be bytes")
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyMissing(
                f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes "
                f"(got {len(key)}); " + _HOW_TO.format(var=ENV_VAR)
            )
        self.__key = bytes(key)

    @classmethod
    def from_env(cls, var: str = ENV_VAR) -> Pseudonymiser:
        """Read the key from environment variable `var` (its UTF-8 bytes)."""
        value = os.environ.get(var, "").strip()
        if not value:
            raise PseudonymKeyMissing(
                f"{var} is not set: authors are pseudonymised with a secret key; "
                + _HOW_TO.format(var=var)
            )
        key = value.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyMissing(
                f"{var} is too short ({len(key)} bytes, need at least {MIN_KEY_BYTES}); "
                + _HOW_TO.format(var=var)
            )
        return cls(key)

    def pseudonymise(self, source: str, author: str | None) -> str | None:
        """Stable pseudonymous id of `author` on `source`; None for missing/deleted authors."""
        if author is None or author.strip() in _NO_AUTHOR:
            return None
        msg = f"{source}\x1f{author}".encode()
        digest = hmac.new(self.__key, msg, hashlib.sha256).hexdigest()
        return PREFIX + digest[:HEX_CHARS]

    __call__ = pseudonymise

    def __repr__(self) -> str:
        return "Pseudonymiser(key=<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Pseudonymiser is not picklable (it holds a secret key)")
