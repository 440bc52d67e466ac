"""What the report shows, read from the warehouse by `pipeline.report.queries`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class DayPoint:
    day: date
    volume: int
    negative: int
    neutral: int
    positive: int
    net_sentiment: float | None  # (pos - neg) / (pos + neg), None when pos + neg == 0
    share_of_voice: float | None  # 0..1 against the brand's competitors
    # -100..100 over the trailing `ReportData.trend_days` days (pipeline.reputation.score)
    reputation: float | None = None
    reach: float = 0.0


@dataclass(slots=True)
class ShareOfVoice:
    brand: str
    mentions: int
    share: float  # 0..1 of the brand + its competitors in the period


@dataclass(slots=True)
class PostExample:
    post_id: str
    created_at: datetime
    source: str
    community: str | None
    url: str | None
    lang: str | None
    title: str | None
    text: str  # raw post text: the template must escape it
    negative_score: float


@dataclass(slots=True)
class AlertSummary:
    day: date
    rule: str
    severity: int
    message: str
    alert_id: str = ""
    status: str = "open"  # open | acknowledged | resolved
    hour: datetime | None = None  # set for hourly alerts
    value: float | None = None  # negative mentions in the day / hour
    baseline: float | None = None  # what was usual per day / hour
    # pipeline.reputation.explain.explain_spike: top_posts [{post_id, url, source,
    # community, text, negative}], sources / communities [{name, negative}], problems
    # [{problem_id, label, negative, expected}], keyphrases [{phrase, posts, expected}],
    # window {start, end}, report (link)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Kpis:
    volume: int
    volume_prev: int
    net_sentiment: float | None
    net_sentiment_prev: float | None
    negative_share: float | None
    share_of_voice: float | None
    negative_share_prev: float | None = None
    share_of_voice_prev: float | None = None
    reputation: float | None = None  # -100..100 over the whole period
    reputation_prev: float | None = None
    reach: float = 0.0
    reach_prev: float = 0.0
    positive: int = 0
    negative: int = 0
    positive_prev: int = 0
    negative_prev: int = 0


@dataclass(slots=True)
class BrandKpis:
    """The brand or one of its competitors over the same period (for comparison)."""

    brand: str
    is_self: bool
    mentions: int
    net_sentiment: float | None
    reputation: float | None
    negative_share: float | None
    share_of_voice: float | None  # 0..1 of the brand + its competitors
    positive: int = 0
    negative: int = 0


@dataclass(slots=True)
class ProblemSummary:
    """A customer problem (pipeline.nlp.problem_store.problem_trends)."""

    problem_id: str
    label: str
    recent: int  # posts in the last 7 days of the period
    before: int  # posts in the baseline before that
    emerging_score: float
    emerging: bool  # the emerging test fired
    share_negative: float  # 0..1
    daily: list[int]  # posts per day, oldest first, ending on the period's last day
    examples: list[str]  # raw post text: escape


@dataclass(slots=True)
class Idea:
    """A suggestion from a customer (intent "suggestion")."""

    post_id: str
    created_at: datetime
    source: str
    community: str | None
    url: str | None
    lang: str | None
    text: str
    reach: float


@dataclass(slots=True)
class CommunityRow:
    """A tribe: a community ranked by brand volume, sentiment and growth."""

    source: str
    community: str
    mentions: int
    mentions_prev: int
    growth: float | None  # (mentions - prev) / prev, None when prev == 0
    negative: int
    neutral: int
    positive: int
    net_sentiment: float | None
    authors: int
    reach: float
    score: float


@dataclass(slots=True)
class ChiefRow:
    """A chief: an influential (pseudonymous) author in the brand's communities."""

    author_id: str
    source: str
    community: str | None
    posts: int
    mentions: int
    engagement: float
    centrality: float  # 0..1 within the community
    consistency: float  # 0..1
    influence: float  # 0..100
    negative: int
    neutral: int
    positive: int
    net_sentiment: float | None
    brand_replies: int = 0  # replies, without the brand's name, to posts that name it


@dataclass(slots=True)
class QueueItem:
    """A question or complaint no official account has answered."""

    post_id: str
    created_at: datetime
    source: str
    community: str | None
    url: str | None
    title: str | None
    text: str
    lang: str | None
    intent: str  # question | complaint
    sentiment: str | None
    reach: float
    age_hours: float
    priority: float


@dataclass(slots=True)
class SourceHealth:
    source: str
    kind: str
    status: str  # ok | failed | disabled
    last_success_at: datetime | None
    last_items: int | None
    consecutive_failures: int
    last_error: str | None


@dataclass(slots=True)
class SourcePeriod:
    """What one source delivered in the report's period (not only in its last run)."""

    source: str
    kind: str
    enabled: bool
    status: str  # now: ok | failed | disabled | never (no run recorded)
    posts: int  # posts of the source dated in the period (all brands)
    mentions: int  # counted mentions of the brand among them
    days_with_posts: int
    runs: int  # runs that started in the period
    failed_runs: int
    last_error: str | None

    @property
    def failed(self) -> bool:
        """Failed in the period, or failing / disabled now."""
        return self.failed_runs > 0 or self.status in ("failed", "disabled")

    @property
    def silent(self) -> bool:
        """Enabled, not failed, and nothing dated in the period."""
        return self.enabled and not self.failed and self.posts == 0


@dataclass(slots=True)
class DataState:
    """The state of the data behind the period's figures: shown before anything else."""

    days: int  # days in the period
    days_with_mentions: int  # days with at least one counted mention of the brand
    days_with_posts: int  # days with at least one post from any source
    sources: list[SourcePeriod] = field(default_factory=list)

    @property
    def failed(self) -> list[SourcePeriod]:
        return [s for s in self.sources if s.failed]

    @property
    def silent(self) -> list[SourcePeriod]:
        return [s for s in self.sources if s.silent]


@dataclass(slots=True)
class Coverage:
    mentions: int  # non-duplicate mentions in the period
    scored: int  # with a sentiment score of the configured model
    human_labels: int  # with a human label (those win)
    by_lang: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ReportData:
    brand: str
    competitors: list[str]
    period_start: date
    period_end: date  # inclusive
    generated_at: datetime
    kpis: Kpis
    daily: list[DayPoint]
    share_of_voice: list[ShareOfVoice]
    most_negative: list[PostExample]
    alerts: list[AlertSummary] = field(default_factory=list)
    model: str = ""  # "name version" of the sentiment model behind the figures
    competitor_kpis: list[BrandKpis] = field(default_factory=list)  # brand first
    problems: list[ProblemSummary] = field(default_factory=list)  # most emerging first
    ideas: list[Idea] = field(default_factory=list)
    communities: list[CommunityRow] = field(default_factory=list)
    chiefs: list[ChiefRow] = field(default_factory=list)  # authors who name the brand
    # community experts: answer in threads about the brand without naming it
    experts: list[ChiefRow] = field(default_factory=list)
    response_queue: list[QueueItem] = field(default_factory=list)  # highest priority first
    sources: list[SourceHealth] = field(default_factory=list)
    coverage: Coverage | None = None
    models: dict[str, str] = field(default_factory=dict)  # role -> "name version"
    reputation_prior: float = 5.0  # K in the reputation formula
    trend_days: int = 7  # trailing window of DayPoint.reputation
    data_state: DataState | None = None
    language: str = "en"  # de | en (pipeline.report.i18n.LANGUAGES)
    timezone: str = "UTC"  # IANA name: times are shown there
