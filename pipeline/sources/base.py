"""The source plug-in interface and the registry of source kinds."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from pipeline.records import RawPost


class SourceError(Exception):
    """A source could not be fetched; the message says what failed and what to check."""


class BadItem(SourceError):
    """One item of a source could not be read; it is skipped and the others load."""


class PartialFailure(SourceError):
    """Part of a source failed after the rest was read: every post yielded is complete and
    the state covers exactly those, so the caller stores both, then records the error."""


class SourceOptions(BaseModel):
    """Base for each source kind's options (validated at config load)."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What every source gets from the run: identity for HTTP and politeness settings."""

    user_agent: str = "stimmung/0.1 (+https://github.com/stimmung; contact: unknown)"
    timeout_s: float = 20.0
    max_retries: int = 3
    max_retry_wait_s: float = 60.0
    deadline_s: float = 120.0  # one request, retries included, from first byte sent to last read
    max_body_bytes: int = 50_000_000  # per response body, also once decompressed
    base_dir: str = "."
    # brand name -> its name and aliases, for sources that search per brand
    brand_terms: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Source(ABC):
    """A configured source. `fetch` yields new posts and advances `state` in place.

    `state` is the JSON-serialisable cursor kept in the warehouse (`source_state`):
    timestamps, ids, ETag/Last-Modified. The caller persists it only after the posts
    yielded so far are loaded, so a crash never skips posts.
    """

    kind: ClassVar[str]
    Options: ClassVar[type[SourceOptions]]

    def __init__(self, name: str, options: SourceOptions, context: SourceContext) -> None:
        self.name = name
        self.options = options
        self.context = context

    @abstractmethod
    def fetch(self, state: dict[str, Any]) -> Iterator[RawPost]:
        """Yield posts not seen before according to `state`; update `state` as you go."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


_REGISTRY: dict[str, type[Source]] = {}


def register_source(kind: str) -> Callable[[type[Source]], type[Source]]:
    def decorate(cls: type[Source]) -> type[Source]:
        cls.kind = kind
        _REGISTRY[kind] = cls
        return cls

    return decorate


def source_kinds() -> dict[str, type[Source]]:
    _load_builtin_sources()
    return dict(_REGISTRY)


def source_class(kind: str) -> type[Source]:
    if kind not in _REGISTRY:
        _load_source_module(kind)
    if kind in _REGISTRY:
        return _REGISTRY[kind]
    kinds = source_kinds()
    try:
        return kinds[kind]
    except KeyError:
        raise SourceError(
            f"unknown source kind {kind!r}; known kinds: {', '.join(sorted(kinds))}"
        ) from None


def _load_source_module(kind: str) -> None:
    """Import `pipeline/sources/<kind>.py` alone when it exists: a run with one file source
    does not pay for the HTTP, feed and HTML parsers of the other kinds (~0.7 s of
    imports). A kind registered under another module's name is found by `source_kinds`."""
    import importlib
    import importlib.util

    if not kind.isidentifier():
        return
    name = f"{__package__}.{kind}"
    if importlib.util.find_spec(name) is not None:
        importlib.import_module(name)


def build_source(
    name: str, kind: str, options: dict[str, Any] | SourceOptions, context: SourceContext
) -> Source:
    cls = source_class(kind)
    opts = options if isinstance(options, SourceOptions) else cls.Options.model_validate(options)
    return cls(name, opts, context)


def source_for_target(kind: str, target: str, options: Sequence[str] = ()) -> Source:
    """A source outside the config (`stimmung fetch`): `target` fills the kind's main
    option (feed URL, file, subreddit, …), `options` are ``key=value`` (value may be JSON)."""
    import json

    cls = source_class(kind)
    main_option, field = next(iter(cls.Options.model_fields.items()))
    is_list = getattr(field.annotation, "__origin__", None) is list
    values: dict[str, Any] = {main_option: [target] if is_list else target}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep:
            raise SourceError(f"--option {item!r}: expected key=value")
        try:
            values[key] = json.loads(value)
        except json.JSONDecodeError:
            values[key] = value
    try:
        return build_source("cli", kind, values, SourceContext(base_dir="."))
    except ValueError as exc:  # pydantic validation of the options
        raise SourceError(f"invalid options for a {kind} source: {exc}") from None


def _load_builtin_sources() -> None:
    """Import every module of this package, so a new `pipeline/sources/<kind>.py` with
    `@register_source("<kind>")` is a known kind without being listed anywhere."""
    import importlib
    import pkgutil

    import pipeline.sources

    for module in pkgutil.iter_modules(pipeline.sources.__path__):
        importlib.import_module(f"pipeline.sources.{module.name}")


# ---------------------------------------------------------------- normalising helpers
# Sources read JSON and HTML from servers they do not control: any field may hold any
# type, any number any size. These turn such values into what a RawPost holds.

MAX_PAYLOAD_DEPTH = 32  # deeper payload values are cut (a hostile server nests forever)


def as_text(value: Any) -> str | None:
    """A value where a string belongs: strings and numbers as text, a list of them joined,
    anything else (objects, nesting) dropped."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        parts = [p for p in value if isinstance(p, str | int | float) and
                 not isinstance(p, bool)]
        return " ".join(str(p) for p in parts) or None
    return None


def as_number(value: Any) -> float | None:
    """A finite number, or None (booleans, NaN, infinities and text are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int with hundreds of digits
        return None
    return number if math.isfinite(number) else None


def epoch_utc(value: Any) -> datetime | None:
    """Unix seconds as an aware UTC datetime, or None when out of any sane range."""
    number = as_number(value)
    if number is None:
        return None
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def json_safe(value: Any, depth: int = 0,
              convert: Callable[[Any], Any] | None = None) -> Any:
    """A JSON-serialisable copy of `value`, cut at MAX_PAYLOAD_DEPTH; non-finite floats
    and unknown objects become text. `convert` (a source's own types, e.g. a feed's
    `struct_time` or a praw object) is asked first and wins when it returns non-None."""
    if convert is not None and (converted := convert(value)) is not None:
        return converted
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict | list | tuple) and depth >= MAX_PAYLOAD_DEPTH:
        return "[nested too deeply]"
    if isinstance(value, dict):
        return {str(k): json_safe(v, depth + 1, convert) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, depth + 1, convert) for v in value]
    return str(value)
