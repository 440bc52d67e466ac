"""Analysis profiles: which models a run uses (`analysis.profile`, `stimmung run --profile`).

`accurate` (the default) holds the best models; `fast` trades quality for throughput.
An explicitly configured `sentiment.model` wins over the profile's sentiment model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_PROFILE", "PROFILES", "Profile", "ProfileError", "resolve_profile"]

DEFAULT_PROFILE = "accurate"


class ProfileError(ValueError):
    """An unknown analysis profile name."""


@dataclass(frozen=True)
class Profile:
    """The models behind one profile (names as `load_backend` / `load_text_encoder` take)."""

    name: str
    sentiment_model: str
    text_encoder: str


PROFILES: dict[str, Profile] = {
    # the fine-tuned multilingual encoder cascaded with the n-gram model; problems stay on
    # hashed n-grams, which group the demo's problems more purely than e5-small's
    # embeddings (models/stimmung_multilingual/MODEL_CARD.md, "Problems")
    "accurate": Profile("accurate", "stimmung-multilingual", "hashed"),
    "fast": Profile("fast", "stimmung-sentiment", "hashed"),
}


def get_profile(name: str) -> Profile:
    """The profile called `name`, or a one-line error naming the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ProfileError(f"unknown analysis profile {name!r} (known: {known})") from None


def resolve_profile(config: Any, override: str | None = None) -> Profile:
    """The profile of a run: `override` (e.g. `--profile fast`), else `analysis.profile`."""
    if override:
        return get_profile(override)
    analysis = getattr(config, "analysis", None)
    return get_profile(str(getattr(analysis, "profile", None) or DEFAULT_PROFILE))
