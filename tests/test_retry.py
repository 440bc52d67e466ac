"""The one retry policy (pipeline.retry) that HTTP sources and notifications share."""

from __future__ import annotations

import pytest

from pipeline.retry import Retryable, RetryPolicy


def policy(waits: list[float], **kwargs: float) -> RetryPolicy:
    settings = {"attempts": 4, "first_wait_s": 0.5, **kwargs}
    return RetryPolicy(attempts=int(settings.pop("attempts")), sleep=waits.append,
                       **settings)


def test_exponential_backoff_then_the_last_failure_is_raised() -> None:
    waits: list[float] = []
    seen: list[int] = []

    def attempt(number: int) -> None:
        seen.append(number)
        raise Retryable(f"failure {number}")

    with pytest.raises(Retryable, match="failure 4") as info:
        policy(waits).call(attempt)
    assert info.value.reason == "failure 4"
    assert seen == [1, 2, 3, 4]
    assert waits == [0.5, 1.0, 2.0] and all(type(w) is float for w in waits)


def test_success_after_a_failure_returns_the_value() -> None:
    waits: list[float] = []

    def attempt(number: int) -> str:
        if number == 1:
            raise Retryable("once")
        return f"done on {number}"

    assert policy(waits).call(attempt) == "done on 2"
    assert waits == [0.5]


def test_the_wait_asked_for_wins_over_the_backoff_and_is_not_capped() -> None:
    waits: list[float] = []
    asked = iter([3.0, None, 0.0, None])

    def attempt(number: int) -> None:
        raise Retryable("busy", wait_s=next(asked))

    with pytest.raises(Retryable):
        policy(waits, max_wait_s=2.0).call(attempt)
    assert waits == [3.0, 1.0, 0.0]  # the 2nd wait is the backoff of attempt 2


def test_backoff_is_capped_and_jitter_stays_within_its_share() -> None:
    waits: list[float] = []

    def attempt(number: int) -> None:
        raise Retryable("down")

    with pytest.raises(Retryable):
        policy(waits, attempts=6, first_wait_s=1.0, max_wait_s=5.0, jitter=0.25).call(attempt)
    assert len(waits) == 5
    for wait, plain in zip(waits, [1.0, 2.0, 4.0, 8.0, 16.0], strict=True):
        assert min(5.0, plain) <= wait <= min(5.0, plain * 1.25)
    assert waits[3:] == [5.0, 5.0]


def test_any_other_error_ends_at_once() -> None:
    waits: list[float] = []
    calls: list[int] = []

    def attempt(number: int) -> None:
        calls.append(number)
        raise KeyError("final")

    with pytest.raises(KeyError, match="final"):
        policy(waits).call(attempt)
    assert calls == [1] and waits == []


def test_before_retry_sees_each_retry_and_can_stop_it() -> None:
    waits: list[float] = []
    announced: list[tuple[str, int, float]] = []

    def before_retry(error: Retryable, attempt: int, wait: float) -> None:
        announced.append((error.reason, attempt, wait))
        if attempt == 2:
            raise TimeoutError("the next wait would pass the deadline")

    def attempt(number: int) -> None:
        raise Retryable(f"try {number}")

    with pytest.raises(TimeoutError):
        policy(waits).call(attempt, before_retry=before_retry)
    assert announced == [("try 1", 1, 0.5), ("try 2", 2, 1.0)]
    assert waits == [0.5]  # stopped before the second wait


def test_one_attempt_means_no_retry() -> None:
    waits: list[float] = []

    def attempt(number: int) -> None:
        raise Retryable("no")

    with pytest.raises(Retryable):
        policy(waits, attempts=1).call(attempt)
    assert waits == []


def test_wait_after_names_the_wait_that_would_follow_an_attempt() -> None:
    capped = RetryPolicy(attempts=11, first_wait_s=5.0, max_wait_s=60.0)
    assert [capped.wait_after(Retryable("x"), n) for n in (1, 2, 4, 5, 11)] == [
        5.0, 10.0, 40.0, 60.0, 60.0]
    assert capped.wait_after(Retryable("x", wait_s=0.0), 3) == 0.0
