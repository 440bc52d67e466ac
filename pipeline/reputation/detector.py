r"""Online negative-spike detector for hourly and daily series (negative count + share).

Each point *t* is judged only on the points before it (online, deterministic), so the
verdicts on a series never change when later points are appended.

Method
------
``x_t`` is the negative count and ``n_t`` the total volume of point *t*. ``c_i`` is the
*cleaned* history: ``c_i = x_i``, except that a point judged clearly high (both tests
below ``>= clean_z``) is clipped to its upper bound so one spike does not inflate the
baseline of the following weeks.

1. **Seasonal profile** (multiplicative, shrunk towards flat for small counts). Daily series
   use day-of-week factors; hourly series use hour-of-week factors shrunk towards the
   separable profile hour-of-day x day-of-week. From the last ``k <= season_cycles`` whole
   cycles (7 days / 168 hours) of cleaned history, with ``m`` the mean count per point::

       f_s = (sum_{i in s} c_i + A * prior_s) / (m * count_s + A)        A = season_prior

   ``A`` is in *mentions*: with thousands per day the data decide, with a few per day the
   profile stays flat. With less than one whole cycle of history the profile falls back to
   hour-of-day (hourly, >= 1 day) or to flat, i.e. a plain trailing baseline.
2. **Count model** (A): level over the trailing ``level_window`` points (14 days / 168 h),
   restarted at the last detected level shift, ``L = sum c_i / sum f_s(i)``, expectation
   ``mu_t = max(L * f_s(t), min_expected)``; ``x_t ~ NegBin(mean mu_t, var mu_t + kappa
   mu_t^2)``; ``z_A = Phi^-1(1 - P(X >= x_t))`` (Poisson tail when ``kappa = 0``).
3. **Share model** (B): baseline negative share of the same window
   ``p0 = (sum c_i + 0.5) / (sum n_i + 1)``; ``x_t | n_t ~ BetaBinomial(n_t, p0, rho)``,
   evaluated as a binomial tail with the design effect ``D = 1 + (n_t - 1) rho``
   (``x/D`` successes out of ``n/D``); ``z_B`` from its upper tail. A campaign that lifts
   all volume at the same share has a large ``z_A`` but ``z_B ~ 0``; a drop of the other
   volume lifts ``z_B`` but not ``z_A``; a negative spike lifts both.
4. **Dispersions** ``kappa`` and ``rho`` from the one-step-ahead residuals of the last
   ``dispersion_window`` points (56 days / 336 h) whose base variance is >= 2: the value
   ``d`` solving ``trimmed-mean_90%(r_i^2 / (1 + d s_i)) = E[trimmed chi2_1]``
   (``r_i`` Pearson residual under Poisson / binomial, ``s_i = mu_i`` / ``n_i - 1``),
   shrunk towards ``kappa_prior`` / ``rho_prior`` with ``prior_weight`` pseudo-points.
   Trimming the top 10 % keeps past spikes out of the noise estimate.
5. **Evidence**: both tests use the same ``x_t``, so they are strongly correlated; they are
   combined by their mean (Stouffer with correlation 1), each capped at ``part_cap``::

       z_t = (min(z_A, 6) + min(z_B, 6)) / 2,   and both z_A, z_B >= part_z (2.0)

   Without totals (or a baseline share > ``max_share``) ``z_t = z_A * threshold /
   count_only_threshold``. A run of up to ``run_max`` (3) consecutive points whose parts
   are all >= ``run_z`` (1.5) pools its evidence: ``z_A,run = sum z_A / sqrt(k)`` (same for
   B) and the larger of point and run evidence counts.
6. **Significant point**: ``z_t >= threshold`` (3.5) and ``x_t >= min_negative`` (5) and
   ``x_t - mu_t >= min_excess`` (3) and ``x_t >= min_ratio * mu_t`` (1.5).
   **Alert**: at least ``persistence_k`` of the last ``persistence_m`` points significant
   (default 1 of 1: fire on the first clearly significant point), at least
   ``min_history`` points into the series (7 days / 48 h), more than ``cooldown`` points
   after the previous alert (1 day / 6 h), and not inside the previous alert's episode
   (an episode lasts while consecutive points stay high: one alert, not one per point).
7. **Level shifts**: ``absorb_after`` (3 days / 6 h) consecutive high points, or
   significantly low ones (lower tail < ``Phi(-clean_z)``), are taken as a new level:
   their raw values return to the history and the level window restarts at the run's
   first point. A persistent shift fires at most once and is absorbed within
   ``absorb_after`` points.
8. **Severity** 1..10 grows with the ratio to the count baseline and with the evidence::

       severity = clip(floor(2 * log2(x_t / mu_t) + log2(z_t / threshold)), 1, 10)

   x1.5 at the threshold -> 1, x2 -> 2, x4 -> 4 (+1 per doubling of z), x32 -> 10.

Defaults (``DetectorParams.for_freq("D" | "H")``) were chosen with ``bench/alerts.py`` on
tuning seeds disjoint from the reporting seeds (see that script).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from types import ModuleType
from typing import Literal, TypeVar

import numpy as np


@cache
def _special() -> ModuleType:
    """scipy.special, imported when a tail probability is first needed (~0.3 s: commands
    that only import the detector, such as the CLI's, do not pay it)."""
    from scipy import special

    return special


Freq = Literal["D", "H"]
TimeLike = date | datetime
Z_CAP = 38.0


@dataclass(frozen=True, slots=True)
class DetectorParams:
    """Parameters of the online spike detector (defaults are the daily ones).

    Use ``DetectorParams.for_freq("H")`` for hourly series.
    """

    freq: Freq = "D"
    #: trailing points of the level and share baselines (14 days; hourly 168 = 1 week)
    level_window: int = 14
    #: whole seasonal cycles (weeks) used for the day-/hour-of-week profile
    season_cycles: int = 6
    #: prior strength of the seasonal profile, in negative mentions (shrinks towards flat)
    season_prior: float = 10.0
    #: without totals (no share test) the count test alone must reach this z
    count_only_threshold: float = 4.0
    #: consecutive points whose parts all reach run_z pool their evidence (sum z / sqrt k,
    #: over at most run_max points): a spike spread over 2-3 points is found too
    run_z: float = 1.5
    run_max: int = 3
    #: points before the first verdict (the series' first points only build the baseline)
    min_history: int = 7
    #: combined z needed for a significant point (3.5 ~ one-sided p < 2.3e-4)
    threshold: float = 3.5
    #: minimum negative count of a significant point
    min_negative: int = 5
    #: minimum excess over the expectation, in mentions
    min_excess: float = 3.0
    #: minimum ratio to the expectation
    min_ratio: float = 1.5
    #: floor of the expectation (a silent history still has some chance of a mention)
    min_expected: float = 0.2
    #: test the negative share too (needs totals); False: the count test alone
    share_guard: bool = True
    #: fire when persistence_k of the last persistence_m points are significant
    persistence_k: int = 1
    persistence_m: int = 1
    #: points after an alert during which no new alert fires
    cooldown: int = 1
    #: z above which a point is "high": clipped in the baseline, keeps an episode open
    clean_z: float = 2.33
    #: consecutive high (or low) points taken as a level shift and absorbed
    absorb_after: int = 3
    #: one-step-ahead residuals used for the dispersion estimate
    dispersion_window: int = 56
    #: prior extra-Poisson dispersion kappa of the counts (CV^2 of the rate)
    kappa_prior: float = 0.04
    #: prior intra-class correlation rho of the share (beta-binomial overdispersion)
    rho_prior: float = 0.001
    #: residuals used for the dispersions need a base-model variance of at least this
    min_dispersion_var: float = 2.0
    #: weight of both priors, in points of history
    prior_weight: float = 5.0
    #: with totals, the count test AND the share test must each reach this z (a campaign
    #: lifts only the count, a drop of the other volume only the share)
    part_z: float = 2.0
    #: each part's z is capped here before the combination, so one overwhelming part
    #: (a campaign's count) cannot carry a weak other part
    part_cap: float = 6.0
    #: a baseline negative share above this means the totals carry no information
    max_share: float = 0.95

    @classmethod
    def for_freq(cls, freq: str, **overrides: object) -> DetectorParams:
        """Documented defaults for daily ("D") or hourly ("H") series."""
        f = freq.upper()
        if f == "D":
            params = cls()
        elif f == "H":
            params = cls(
                freq="H", level_window=168, season_cycles=4, min_history=48,
                cooldown=6, absorb_after=6, dispersion_window=336,
            )
        else:
            raise ValueError(f"freq must be D or H, not {freq!r}")
        return replace(params, **overrides)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Detection:
    """One alert: what was seen, what was expected, how sure and how bad."""

    index: int
    time: TimeLike
    value: int
    total: int
    expected: float
    expected_count: float
    expected_share: float
    share: float
    baseline_share: float
    pvalue: float
    score: float
    severity: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement of one point (for inspection and tests)."""

    index: int
    expected: float
    score: float
    significant: bool
    fired: bool


def severity(value: float, expected: float, score: float, threshold: float) -> int:
    """1..10 from the ratio to the expectation and the evidence (see module docstring)."""
    ratio = max(value / max(expected, 1e-9), 1.0)
    evidence = max(score / max(threshold, 1e-9), 1.0)
    raw = 2.0 * math.log2(ratio) + math.log2(evidence)
    return max(1, min(10, math.floor(raw)))


def _upper_tail(x: int, mu: float, kappa: float) -> float:
    """P(X >= x) for X ~ NB(mean mu, var mu + kappa mu^2) (Poisson when kappa ~ 0)."""
    if x <= 0:
        return 1.0
    if kappa < 1e-9:
        return float(_special().gammainc(x, mu))
    r = 1.0 / kappa
    p = r / (r + mu)
    return float(_special().betainc(x, r, 1.0 - p))


def _lower_tail(x: int, mu: float, kappa: float) -> float:
    """P(X <= x)."""
    if kappa < 1e-9:
        return float(_special().gammaincc(x + 1, mu))
    r = 1.0 / kappa
    p = r / (r + mu)
    return float(_special().betainc(r, x + 1, p))


def _z(p: float) -> float:
    if p <= 0.0:
        return Z_CAP
    return float(min(Z_CAP, -_special().ndtri(min(p, 1.0))))


def _slot(time: TimeLike, freq: Freq) -> int:
    if freq == "D":
        return time.weekday()
    hour = time.hour if isinstance(time, datetime) else 0
    return time.weekday() * 24 + hour


def _binom_upper(x: float, n: float, p: float) -> float:
    """P(X >= x) for X ~ Binomial(n, p), continuous in x and n (design-effect scaled)."""
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    return float(_special().betainc(x, n - x + 1.0, p))


def _binom_lower(x: float, n: float, p: float) -> float:
    """P(X <= x) for X ~ Binomial(n, p), continuous in x and n."""
    if x >= n:
        return 1.0
    return float(_special().betainc(n - x, x + 1.0, 1.0 - p))


_TRIM = 0.9
@cache
def _trimmed_chi2() -> float:
    """E[r^2 | r^2 <= q] for r ~ N(0, 1), q its 90% quantile: P(chi2_3 <= q) / 0.9."""
    return float(_special().chdtr(3, _special().chdtri(1, 1 - _TRIM)) / _TRIM)


def _solve_dispersion(r2: np.ndarray, scale: np.ndarray, prior: float,
                      weight: float) -> float:
    """Robust overdispersion ``d`` with ``Var = base * (1 + d * scale)``.

    ``r2`` are squared Pearson residuals under the base model (Poisson or binomial); ``d``
    solves ``trimmed mean_i r2_i / (1 + d scale_i) = E[trimmed chi2_1]`` (top 10 %
    trimmed, so past spikes do not count), then is shrunk towards ``prior`` with
    ``weight`` pseudo-points.
    """
    m = len(r2)
    if m < 10:
        return prior

    keep = max(1, int(_TRIM * m))

    def excess(d: float) -> float:
        z = r2 / (1.0 + d * scale)
        z.sort()
        return float(z[:keep].sum() / keep) - _trimmed_chi2()  # = z[:keep].mean()

    if excess(0.0) <= 0:
        est = 0.0
    else:
        lo, hi = 0.0, 1.0
        while excess(hi) > 0 and hi < 1e4:
            hi *= 10
        for _ in range(25):
            mid = 0.5 * (lo + hi)
            if excess(mid) > 0:
                lo = mid
            else:
                hi = mid
        est = hi
    return (m * est + weight * prior) / (m + weight)


def _ordered_sum(values: np.ndarray) -> float:
    """The sum of `values` added one after the other from the first (0.0 when empty)."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


@dataclass
class _Point:
    x: float
    n: float
    clean: float
    clean_n: float
    slot: int
    mu: float | None = None  # count model prediction
    sd: float | None = None
    p0: float | None = None  # share model prediction (baseline negative share)
    sd_b: float | None = None


@dataclass
class OnlineDetector:
    """Feed points one by one with ``step``; each verdict uses only earlier points."""

    params: DetectorParams = field(default_factory=DetectorParams)
    points: list[_Point] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    _change_point: int = 0
    _high_run: int = 0
    _low_run: int = 0
    _last_alert: int = -(10**9)
    _episode: bool = False
    _sig: deque[bool] = field(default_factory=deque)
    _disp: tuple[float, float] | None = None
    _run: deque[tuple[float, float]] = field(default_factory=deque)
    # the points' clean value, clean total and slot as arrays (kept in step with
    # `points`), so the baselines are numpy slices rather than loops over points
    _clean: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=float))
    _clean_n: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=float))
    _slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        self._clean = np.fromiter((q.clean for q in self.points), float, len(self.points))
        self._clean_n = np.fromiter((q.clean_n for q in self.points), float,
                                    len(self.points))
        self._slots = np.fromiter((q.slot for q in self.points), np.int64, len(self.points))

    def _append(self, point: _Point) -> None:
        t = len(self.points)
        if t >= len(self._clean):  # grow the arrays by doubling
            size = max(64, 2 * len(self._clean))
            for name in ("_clean", "_clean_n", "_slots"):
                old = getattr(self, name)
                new = np.zeros(size, dtype=old.dtype)
                new[:t] = old[:t]
                setattr(self, name, new)
        self._clean[t], self._clean_n[t], self._slots[t] = point.clean, point.clean_n, point.slot
        self.points.append(point)

    # ---- baselines ------------------------------------------------------------------
    def _factors(self, t: int) -> np.ndarray:
        p = self.params
        period = 7 if p.freq == "D" else 168
        cycles = min(p.season_cycles, t // period)
        if cycles >= 1:
            w0 = t - cycles * period
        elif p.freq == "H" and t >= 24:
            w0 = t - 24 * min(7, t // 24)
        else:
            return np.ones(period)
        cw = self._clean[w0:t]
        sw = self._slots[w0:t]
        m = float(cw.mean())
        if m <= 0:
            return np.ones(period)
        a = p.season_prior
        if p.freq == "D":
            f = (np.bincount(sw, cw, 7) + a) / (np.bincount(sw, minlength=7) * m + a)
        else:
            hod, dow = sw % 24, sw // 24
            f_hod = (np.bincount(hod, cw, 24) + a) / (np.bincount(hod, minlength=24) * m + a)
            if cycles >= 1:
                f_dow = (np.bincount(dow, cw, 7) + a) / (np.bincount(dow, minlength=7) * m + a)
                prior = np.outer(f_dow, f_hod).ravel()
                f = (np.bincount(sw, cw, 168) + a * prior) / (
                    np.bincount(sw, minlength=168) * m + a)
            else:
                f = np.tile(f_hod, 7)
        mean_f = float(f[sw].mean())
        return f / mean_f if mean_f > 0 else np.ones(period)

    def _dispersions(self, t: int) -> tuple[float, float]:
        """(kappa, rho): NB extra-Poisson dispersion of the counts and beta-binomial
        intra-class correlation of the share, from one-step-ahead residuals (robust:
        trimmed mean of squared Pearson residuals, see ``_solve_dispersion``)."""
        p = self.params
        every = 1 if p.freq == "D" else 6
        if self._disp is not None and t % every != 0:
            return self._disp
        window = self.points[max(0, t - p.dispersion_window):t]
        # only points where the base model is close to normal: the trimmed-chi2 constant
        # does not hold for tiny discrete counts (there the priors stand)
        counted = [q for q in window if q.mu is not None and q.mu >= p.min_dispersion_var]
        mu = np.array([q.mu for q in counted], dtype=float)
        xa = np.array([q.x for q in counted], dtype=float)
        kappa = _solve_dispersion((xa - mu) ** 2 / mu, mu, p.kappa_prior, p.prior_weight)
        share = [q for q in window if q.p0 is not None
                 and q.n * q.p0 * (1 - q.p0) >= p.min_dispersion_var]
        nb = np.array([q.n for q in share], dtype=float)
        p0 = np.array([q.p0 for q in share], dtype=float)
        xb = np.array([q.x for q in share], dtype=float)
        v = nb * p0 * (1 - p0)
        rho = _solve_dispersion((xb - nb * p0) ** 2 / v, nb - 1, p.rho_prior, p.prior_weight)
        self._disp = (kappa, min(rho, 0.5))
        return self._disp

    def expectation(self, t: int, slot: int) -> tuple[float, float | None]:
        """(count baseline mu_count, baseline negative share p0 or None) from points < t."""
        p = self.params
        f = self._factors(t)
        lw0 = max(0, t - p.level_window, self._change_point)
        # sums in point order, one addition after the other (as Python's `sum` of floats
        # up to 3.11; cumsum does not regroup the additions)
        c_sum = _ordered_sum(self._clean[lw0:t])
        f_sum = _ordered_sum(f[self._slots[lw0:t]])
        mu_count = c_sum / f_sum * float(f[slot]) if f_sum > 0 else 0.0
        n_sum = _ordered_sum(self._clean_n[lw0:t])
        p0: float | None = None
        if p.share_guard and n_sum > 0:
            p0 = min(max((c_sum + 0.5) / (n_sum + 1.0), 1e-4), 1 - 1e-4)
            if p0 > p.max_share:
                p0 = None  # the totals say nothing beyond the negatives
        return max(mu_count, p.min_expected), p0

    def _evidence(self, z_a: float, z_b: float | None) -> tuple[float, bool]:
        """(combined z, both parts clear) of the count test and the share test."""
        p = self.params
        if z_b is None:
            return z_a * p.threshold / p.count_only_threshold, True
        # the two tests share x, so they are strongly correlated under no-spike: their
        # mean (Stouffer with correlation 1) keeps the false-alarm rate of one test
        z = (min(z_a, p.part_cap) + min(z_b, p.part_cap)) / 2.0
        return z, z_a >= p.part_z and z_b >= p.part_z

    # ---- one step -------------------------------------------------------------------
    def step(self, time: TimeLike, total: int, negative: int) -> Detection | None:
        p = self.params
        t = len(self.points)
        x = float(negative)
        n = float(max(int(total), int(negative)))
        point = _Point(x=x, n=n, clean=x, clean_n=n, slot=_slot(time, p.freq))
        if t == 0:
            self._append(point)
            return None
        mu_a, p0 = self.expectation(t, point.slot)
        mu_b = n * p0 if p0 is not None else 0.0
        kappa, rho = self._dispersions(t)
        sd_a = math.sqrt(mu_a + kappa * mu_a * mu_a)
        z_a = _z(_upper_tail(int(x), mu_a, kappa))
        low = _lower_tail(int(x), mu_a, kappa) <= _special().ndtr(-p.clean_z)
        if p0 is not None:
            deff = 1.0 + max(n - 1.0, 0.0) * rho
            z_b = _z(_binom_upper(x / deff, n / deff, p0))
            sd_b: float | None = math.sqrt(n * p0 * (1 - p0) * deff)
            low = low or _binom_lower(x / deff, n / deff, p0) <= _special().ndtr(-p.clean_z)
            high = z_a >= p.clean_z and z_b >= p.clean_z
            cap = max(mu_b + p.clean_z * (sd_b or 0.0), mu_a + p.clean_z * sd_a)
            elevated = z_a >= p.run_z and z_b >= p.run_z
        else:
            sd_b, z_b = None, None
            high = z_a >= p.clean_z
            cap = mu_a + p.clean_z * sd_a
            elevated = z_a >= p.run_z
        # evidence of this point, and of the run of consecutive elevated points ending here
        if elevated:
            self._run.append((z_a, z_b if z_b is not None else 0.0))
            while len(self._run) > max(1, p.run_max):
                self._run.popleft()
        else:
            self._run.clear()
        z, guard = self._evidence(z_a, z_b)
        if len(self._run) > 1:
            k = math.sqrt(len(self._run))
            run_a = sum(a for a, _ in self._run) / k
            run_b = sum(b for _, b in self._run) / k if z_b is not None else None
            z_run, guard_run = self._evidence(run_a, run_b)
            if guard_run and z_run > z:
                z, guard = z_run, True
        pval = float(_special().ndtr(-z))
        mu = mu_a
        judged = t >= p.min_history
        significant = judged and guard and (
            z >= p.threshold and x >= p.min_negative and x - mu >= p.min_excess
            and x >= p.min_ratio * mu_a)
        self._sig.append(significant)
        while len(self._sig) > max(1, p.persistence_m):
            self._sig.popleft()
        detection: Detection | None = None
        fired = False
        if significant and not self._episode and t - self._last_alert > p.cooldown \
                and sum(self._sig) >= p.persistence_k:
            fired = True
            self._last_alert = t
            self._episode = True
            detection = Detection(
                index=t, time=time, value=int(x), total=int(total), expected=mu,
                expected_count=mu_a, expected_share=mu_b,
                share=x / n if n > 0 else 1.0, baseline_share=p0 if p0 is not None else 1.0,
                pvalue=pval, score=z, severity=severity(x, mu, z, p.threshold),
            )
        elif self._episode and not high:
            self._episode = False
        # the baseline history: clip high points, absorb level shifts
        self._high_run = self._high_run + 1 if high else 0
        self._low_run = self._low_run + 1 if low else 0
        if judged and high and x > cap:
            point.clean = cap
            point.clean_n = n - (x - cap)
        point.mu, point.sd, point.p0, point.sd_b = mu_a, sd_a, p0, sd_b
        self._append(point)
        if self._high_run >= p.absorb_after:
            start = t - self._high_run + 1
            for i, q in enumerate(self.points[start:t + 1], start):
                q.clean, q.clean_n = q.x, q.n
                self._clean[i], self._clean_n[i] = q.x, q.n
            self._change_point = max(self._change_point, start)
        elif self._low_run >= p.absorb_after:
            self._change_point = max(self._change_point, t - self._low_run + 1)
        self.verdicts.append(Verdict(t, mu, z, significant, fired))
        return detection



def detect(
    times: Sequence[TimeLike],
    totals: Sequence[int] | None,
    negatives: Sequence[int],
    params: DetectorParams | None = None,
) -> list[Detection]:
    """Run the detector online over a whole series; ``totals=None`` disables the share guard.

    ``times`` must be in increasing order and evenly spaced at the params' frequency.
    """
    p = params or DetectorParams()
    if totals is None:
        p = replace(p, share_guard=False)
        totals = negatives
    if not (len(times) == len(totals) == len(negatives)):
        raise ValueError("times, totals and negatives must have the same length")
    detector = OnlineDetector(p)
    out: list[Detection] = []
    for time, total, negative in zip(times, totals, negatives, strict=True):
        found = detector.step(time, int(total), int(negative))
        if found is not None:
            out.append(found)
    return out


# ---- pure helpers over lists of alerts ---------------------------------------------------
A = TypeVar("A")


def apply_cooldown(alerts: Iterable[A], cooldown: timedelta, *,
                   time: Callable[[A], TimeLike], key: Callable[[A], Hashable] = lambda a: None,
                   ) -> list[A]:
    """Keep an alert only if more than ``cooldown`` passed since the last *kept* alert of
    the same key (e.g. brand). Alerts are taken in time order; the result is in time order.
    """
    last: dict[Hashable, TimeLike] = {}
    kept: list[A] = []
    for a in sorted(alerts, key=lambda a: _as_datetime(time(a))):
        k, ts = key(a), _as_datetime(time(a))
        prev = last.get(k)
        if prev is not None and ts - _as_datetime(prev) <= cooldown:
            continue
        last[k] = ts
        kept.append(a)
    return kept


def cap_per_day(alerts: Iterable[A], max_per_day: int, *,
                time: Callable[[A], TimeLike], key: Callable[[A], Hashable] = lambda a: None,
                ) -> list[A]:
    """At most ``max_per_day`` alerts per (key, calendar day): the earliest ones, since an
    alert is sent when it happens. The result is in time order."""
    if max_per_day < 0:
        raise ValueError("max_per_day must be >= 0")
    count: dict[tuple[Hashable, date], int] = {}
    kept: list[A] = []
    for a in sorted(alerts, key=lambda a: _as_datetime(time(a))):
        ts = _as_datetime(time(a))
        bucket = (key(a), ts.date())
        if count.get(bucket, 0) >= max_per_day:
            continue
        count[bucket] = count.get(bucket, 0) + 1
        kept.append(a)
    return kept


def _as_datetime(value: TimeLike) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    return datetime(value.year, value.month, value.day)
