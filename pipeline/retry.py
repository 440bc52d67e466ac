"""The one retry policy for calls to the outside world (HTTP sources, notifications).

An attempt that another attempt may fix raises `Retryable`; anything else it raises ends
the call at once, unchanged. Between attempts the policy waits what the other side asked
for (`Retryable.wait_s`, e.g. from a Retry-After header), or else an exponential backoff:
`first_wait_s`, then 2x, 4x, ..., each with up to `jitter` of it added at random, capped
at `max_wait_s`. After the last attempt the last `Retryable` is raised for the caller to
report. Built on tenacity; it logs nothing itself (callers log, without secrets).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import tenacity

T = TypeVar("T")


class Retryable(Exception):
    """One attempt failed in a way another attempt may fix. `reason` says how (no secrets);
    `wait_s` is the wait the other side asked for, None for the policy's backoff."""

    def __init__(self, reason: str, *, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


#: called before each wait with (the failure, the failed attempt's number, the wait in s);
#: it may raise to stop retrying (e.g. when the wait would pass a deadline)
BeforeRetry = Callable[[Retryable, int, float], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int  # in all, the first included: 1 means no retry
    first_wait_s: float  # the backoff after the first failed attempt
    max_wait_s: float = math.inf  # caps the backoff (not a wait the other side asked for)
    jitter: float = 0.0  # up to this share of the backoff is added at random
    sleep: Callable[[float], None] = time.sleep

    def call(self, attempt: Callable[[int], T], *, before_retry: BeforeRetry | None = None
             ) -> T:
        """`attempt(number)` (1-based) until it returns, raises something other than
        `Retryable`, or has been tried `attempts` times (then its last `Retryable` is raised)."""
        import tenacity  # here: it imports asyncio, which commands that never call out skip

        number = 0

        def next_attempt() -> T:
            nonlocal number
            number += 1
            return attempt(number)

        def announce(state: tenacity.RetryCallState) -> None:
            if before_retry is not None:
                before_retry(_failure(state), state.attempt_number, state.upcoming_sleep)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max(1, self.attempts)),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(Retryable),
            before_sleep=announce,
            sleep=lambda seconds: self.sleep(float(seconds)),
            reraise=True,
        )
        return retrying(next_attempt)

    def wait_after(self, failure: Retryable, attempt: int) -> float:
        """The wait after failed attempt number `attempt` (1-based): what the other side
        asked for, else the backoff."""
        if failure.wait_s is not None:
            return failure.wait_s
        backoff = self.first_wait_s * 2 ** (attempt - 1)
        if self.jitter:
            backoff *= 1 + random.random() * self.jitter
        return min(self.max_wait_s, backoff)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        return self.wait_after(_failure(state), state.attempt_number)


def _failure(state: tenacity.RetryCallState) -> Retryable:
    error = state.outcome.exception() if state.outcome is not None else None
    assert isinstance(error, Retryable)  # the policy retries nothing else
    return error
