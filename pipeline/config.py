"""`stimmung.yaml`, validated with pydantic. Secrets only ever come from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.sources.base import SourceContext, SourceError, source_class

DEFAULT_CONFIG = "stimmung.yaml"
ENV_CONFIG = "STIMMUNG_CONFIG"
ENV_WAREHOUSE = "STIMMUNG_WAREHOUSE_URL"


class ConfigError(Exception):
    """The configuration file is missing or invalid; the message names file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrandConfig(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    query: str | None = None
    competitors: list[str] = Field(default_factory=list)
    official_accounts: list[str] = Field(default_factory=list)
    # ISO 639-1 codes of the posts this brand is matched in; empty: every language
    languages: list[str] = Field(default_factory=list)

    @field_validator("query")
    @classmethod
    def _query_parses(cls, value: str | None) -> str | None:
        if value is not None:
            from pipeline.text.query import QuerySyntaxError, parse_query

            try:
                parse_query(value)
            except QuerySyntaxError as exc:
                raise ValueError(str(exc)) from None
        return value


class SourceConfig(_Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    kind: str
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _options_fit_kind(self) -> SourceConfig:
        try:
            cls = source_class(self.kind)
        except SourceError as exc:
            raise ValueError(str(exc)) from None
        try:
            cls.Options.model_validate(self.options)
        except ValidationError as exc:
            problems = "; ".join(
                "options." + ".".join(str(x) for x in e["loc"]) + f": {e['msg']}"
                for e in exc.errors()
            )
            raise ValueError(f"{self.kind} source: {problems}") from None
        return self


class HttpConfig(_Strict):
    contact: str = "unknown"
    timeout_s: float = Field(default=20.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    max_retry_wait_s: float = Field(default=60.0, ge=0)
    deadline_s: float = Field(default=120.0, gt=0, le=86_400)
    max_body_mb: float = Field(default=50.0, gt=0, le=10_000)


class WarehouseConfig(_Strict):
    url: str = "sqlite:///stimmung.db"
    batch_size: int = Field(default=1000, ge=1, le=1_000_000)

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from pipeline.warehouse.db import WarehouseError, check_url

        try:
            check_url(value, driver=False)  # the driver is checked when connecting
        except WarehouseError as exc:
            raise ValueError(str(exc)) from None
        return value


class SentimentConfig(_Strict):
    # None: the analysis profile's model (see `Config.sentiment_model`)
    model: str | None = None
    batch_size: int = Field(default=256, ge=1)


class AnalysisConfig(_Strict):
    """`profile`: accurate (best models, the default) or fast (pipeline.nlp.profiles).
    `enrich_worker`: enrich (and, in the fast profile, score) the next batch in a forked
    second process while this one writes (`pipeline/stages/enrich_worker.py`).
    `encode_for_intent`: in the accurate profile, also run the encoder's lower layers on
    the posts the intent rules flag, so the intent head decides them too (off: the head
    decides the posts the sentiment cascade encodes anyway)."""

    profile: str = "accurate"
    enrich_worker: bool = True
    encode_for_intent: bool = False

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        from pipeline.nlp.profiles import get_profile

        get_profile(value)
        return value


class SpikeRuleConfig(_Strict):
    """The negative-spike detector (`pipeline/reputation/detector.py`) over daily or hourly
    metrics. Day-based fields apply to hourly rules in hours (x24), except the cooldown."""

    name: str = Field(default="negative-spike", pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["negative_spike"] = "negative_spike"
    freq: Literal["D", "H"] = Field(default="D", description="daily or hourly series")
    baseline_days: int = Field(default=14, ge=3, description="trailing level window")
    min_history: int = Field(default=7, ge=1)
    min_negative: int = Field(default=5, ge=1)
    threshold: float = Field(default=3.5, gt=0, description="combined z of count and share")
    min_ratio: float = Field(default=1.5, ge=1.0, description="negatives vs the expectation")
    cooldown_days: int = Field(default=1, ge=0)
    use_share: bool = Field(default=True, description="also test the negative share")
    persistence_k: int = Field(default=1, ge=1)
    persistence_m: int = Field(default=1, ge=1)
    cooldown_hours: int = Field(default=6, ge=0, description="hourly rules only")
    max_per_day: int = Field(default=3, ge=0, description="alerts per brand and day")


def _default_rules() -> list[SpikeRuleConfig]:
    return [SpikeRuleConfig(),
            SpikeRuleConfig(name="negative-spike-hourly", freq="H", baseline_days=7,
                            min_history=2)]


class AlertConfig(_Strict):
    rules: list[SpikeRuleConfig] = Field(default_factory=_default_rules)
    # alerts on days older than this (before the newest data day) are stored, not sent
    notify_max_age_days: int = Field(default=3, ge=0)
    # notifications per brand and day over all rules; later alerts are stored, not sent
    max_notifications_per_day: int = Field(default=3, ge=0)
    # where the report lives for the alert's link (e.g. an intranet URL); default: the file
    report_base_url: str | None = None


class NotificationConfig(_Strict):
    name: str
    url: str | None = None
    url_env: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> NotificationConfig:
        if bool(self.url) == bool(self.url_env):
            raise ValueError("give exactly one of `url` or `url_env` (env var with the URL)")
        return self

    def resolve_url(self) -> str | None:
        """The apprise URL; from the environment when `url_env` is set (None if unset)."""
        return self.url if self.url else os.environ.get(self.url_env or "")


class PrivacyConfig(_Strict):
    pseudonym_key_env: str = "STIMMUNG_PSEUDONYM_KEY"
    retention_days: int | None = Field(default=None, ge=1)


class ReportConfig(_Strict):
    # a folder (relative: next to the config) or an fsspec URL (s3://bucket/reports, ...)
    output_dir: str = "reports"
    # where readers open output_dir (https://intranet/reports): the link in alerts and
    # report notifications; wins over alerts.report_base_url
    base_url: str | None = None
    days: int = Field(default=28, ge=1)
    # None: the brand's main language (the most frequent language of its mentions)
    language: Literal["de", "en"] | None = None
    timezone: str = Field(default="UTC", description="IANA time zone for times shown")

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(value).key
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as "
                             "Europe/Berlin or UTC") from None


class ReputationConfig(_Strict):
    """See `pipeline.reputation.score`: 100 * sum(w * s) / (sum(w) + prior_weight)."""

    prior_weight: float = Field(default=5.0, ge=0, description="neutral pseudo-weight")
    trend_days: int = Field(default=7, ge=1, description="trailing window of the trend")
    response_queue_days: int = Field(default=14, ge=1, description="oldest open post shown")


class Config(_Strict):
    brands: list[BrandConfig] = Field(min_length=1)
    sources: list[SourceConfig] = Field(default_factory=list)
    warehouse: WarehouseConfig = Field(default_factory=WarehouseConfig)
    http: HttpConfig = Field(default_factory=HttpConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    alerts: AlertConfig = Field(default_factory=AlertConfig)
    notifications: list[NotificationConfig] = Field(default_factory=list)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    reputation: ReputationConfig = Field(default_factory=ReputationConfig)
    # directory of the config file: relative paths (SQLite file, file sources) resolve here
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _references(self) -> Config:
        names = [b.name for b in self.brands]
        _no_duplicates(names, "brand")
        _no_duplicates([s.name for s in self.sources], "source")
        for brand in self.brands:
            for competitor in brand.competitors:
                if competitor not in names:
                    raise ValueError(
                        f"brand {brand.name!r} names competitor {competitor!r}, which is not "
                        f"a configured brand (known: {', '.join(names)})"
                    )
        return self

    def brand(self, name: str) -> BrandConfig:
        for brand in self.brands:
            if brand.name == name:
                return brand
        raise ConfigError(f"no brand named {name!r} (configured: {self.brand_names()})")

    def brand_names(self) -> str:
        return ", ".join(b.name for b in self.brands)

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} (configured: {known})")

    def sentiment_model(self, profile: str | None = None) -> str:
        """The sentiment model that feeds the metrics: an explicit `sentiment.model` wins,
        else the model of `profile` (default: `analysis.profile`)."""
        from pipeline.nlp.profiles import resolve_profile

        return self.sentiment.model or resolve_profile(self, profile).sentiment_model

    def with_profile(self, profile: str | None) -> Config:
        """A copy whose `analysis.profile` is `profile` (unchanged when None)."""
        if not profile:
            return self
        from pipeline.nlp.profiles import ProfileError, get_profile

        try:
            get_profile(profile)
        except ProfileError as exc:
            raise ConfigError(str(exc)) from None
        copy = self.model_copy(update={"analysis": AnalysisConfig(profile=profile)})
        copy.base_dir = self.base_dir
        return copy

    def warehouse_url(self) -> str:
        """The warehouse URL: env STIMMUNG_WAREHOUSE_URL wins; relative SQLite paths
        resolve next to the config file."""
        url = os.environ.get(ENV_WAREHOUSE) or self.warehouse.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            url = prefix + str((self.base_dir / url[len(prefix):]).resolve())
        return url

    def source_context(self) -> SourceContext:
        from pipeline import __version__

        return SourceContext(
            user_agent=f"stimmung/{__version__} (social listening; contact: {self.http.contact})",
            timeout_s=self.http.timeout_s,
            max_retries=self.http.max_retries,
            max_retry_wait_s=self.http.max_retry_wait_s,
            deadline_s=self.http.deadline_s,
            max_body_bytes=int(self.http.max_body_mb * 1_000_000),
            base_dir=str(self.base_dir),
            brand_terms=tuple((b.name, (b.name, *b.aliases)) for b in self.brands),
        )


def _no_duplicates(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} is used twice")
        seen.add(name)


def config_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get(ENV_CONFIG) or DEFAULT_CONFIG)


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a config file; errors name the file, the field path and the problem."""
    file = config_path(path)
    if not file.is_file():
        raise ConfigError(
            f"{file}: config file not found (create one with `stimmung init`, "
            f"or point {ENV_CONFIG} / --config at it)"
        )
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the config file ({exc.strerror})") from None
    if len(content) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{file}: {len(content):,} bytes is too large for a config file "
                          f"(at most {MAX_CONFIG_BYTES:,})")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text (byte 0x{content[exc.start]:02x} at "
                          f"offset {exc.start}); save the file as UTF-8") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ConfigError(f"{file}: YAML nested too deeply (at most {MAX_CONFIG_DEPTH} "
                          "levels)") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping at the top level")
    _check_shape(raw, str(file))
    return parse_config(raw, base_dir=file.resolve().parent, origin=str(file))


MAX_CONFIG_BYTES = 5_000_000
MAX_CONFIG_DEPTH = 20
MAX_CONFIG_NODES = 200_000


def _check_shape(raw: Any, origin: str) -> None:
    """Reject configs nested deeper than MAX_CONFIG_DEPTH or with more than
    MAX_CONFIG_NODES values (YAML aliases can make a small file enormous), iteratively."""
    stack: list[tuple[Any, int]] = [(raw, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_CONFIG_NODES:
            raise ConfigError(f"{origin}: more than {MAX_CONFIG_NODES:,} values (YAML "
                              "aliases expanding?); not a config file")
        if isinstance(node, dict | list):
            if depth > MAX_CONFIG_DEPTH:
                raise ConfigError(f"{origin}: nested deeper than {MAX_CONFIG_DEPTH} levels")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)


def parse_config(raw: dict[str, Any], *, base_dir: Path, origin: str = "<config>") -> Config:
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(origin, exc, raw)) from None
    config.base_dir = base_dir
    return config


def _format_errors(origin: str, exc: ValidationError, raw: dict[str, Any]) -> str:
    lines = [f"{origin}: invalid configuration ({exc.error_count()} problem(s))"]
    for error in exc.errors():
        path = _field_path(error["loc"], raw)
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"  {path or '<top>'}: {message}")
    return "\n".join(lines)


def _field_path(loc: tuple[int | str, ...], raw: Any) -> str:
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            label = ""
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name")
                label = f" ({name})" if name else ""
            parts.append(f"[{item}]{label}")
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)


def resolve_brand(cfg: Config, brand: str | None) -> str:
    """The brand named (ConfigError if it is not configured) or the first configured."""
    if brand is None:
        return cfg.brands[0].name  # the config requires at least one brand
    return cfg.brand(brand).name
