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
    # the fine-tuned multilingual encoder cascaded with the n-gram model. Problems in both
    # profiles: hashed n-grams with German put into English first (`bilingual`, plain
    # `hashed` when the word table is not built), which group the demo's problems across
    # languages far better than e5-small's embeddings (models/problem_alignment/MODEL_CARD.md);
    # both profiles share one problem model, the one reports and exports read
    "accurate": Profile("accurate", "stimmung-multilingual", "bilingual"),
    "fast": Profile("fast", "stimmung-sentiment", "bilingual"),
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
