"""Issue 11, findings 3 and 7: sign-in throttling and hashing limits.

* Nobody can lock a known user out from another address.
* Spraying one guess over many accounts from one address is slowed.
* Parallel sign-ins cannot skip the throttle, and at most ``HASH_SLOTS``
  Argon2 hashes run at once (the rest wait briefly, then get "busy").
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard import accounts
from dashboard.accounts import SignInError
from dashboard.auth import Role
from dashboard.i18n import catalog
from dashboard.store.models.core import LoginAttempt
from tests.support.auth import FAST_HASHER, PASSWORD, add_user, sign_in

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


class CountingHasher:
    """FAST_HASHER, counting the checks and the most run at once."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.running = 0
        self.most = 0
        self.delay = delay
        self._lock = threading.Lock()

    def _run(self, fn, *args):
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            if self.delay:
                time.sleep(self.delay)
            return fn(*args)
        finally:
            with self._lock:
                self.running -= 1

    def verify(self, hashed, password):
        return self._run(FAST_HASHER.verify, hashed, password)

    def hash(self, password):
        return self._run(FAST_HASHER.hash, password)


def _try(ctx, username, password, client, now):
    try:
        sign_in(ctx, username, password, client=client, now=now)
    except SignInError as exc:
        return exc
    return None


def test_a_stranger_cannot_lock_out_a_known_user(ctx):
    add_user(ctx, "lan", Role.COMMUNE, commune="13003")
    for i in range(40):  # the old code locked the account after 5
        _try(ctx, "lan", "guess", ATTACKER, T0 + timedelta(minutes=i * 0.2))
    owner = sign_in(ctx, "lan", client=OWNER, now=T0 + timedelta(minutes=8))
    assert owner.username == "lan"


def test_the_attacker_is_slowed_progressively_not_locked(ctx):
    add_user(ctx, "lan", Role.COMMUNE, commune="13003")
    now, waits = T0, []
    for _ in range(accounts.PAIR_FREE_FAILURES + 4):
        error = _try(ctx, "lan", "guess", ATTACKER, now)
        if error.reason == "throttled":
            waits.append(error.retry_after)
            now += timedelta(seconds=error.retry_after)
            error = _try(ctx, "lan", "guess", ATTACKER, now)
        assert error.reason == "bad_credentials"
    assert waits == [2.0, 4.0, 8.0, 16.0]


def test_spraying_one_guess_over_200_accounts_is_slowed(ctx, monkeypatch):
    for i in range(200):
        add_user(ctx, f"user{i:03d}", Role.VOLUNTEER)
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", counting)
    refused = 0
    for i in range(200):  # one guess per account, one per second
        error = _try(
            ctx, f"user{i:03d}", "Summer2026!", ATTACKER, T0 + timedelta(seconds=i)
        )
        refused += error.reason == "throttled"
    # 10 free failures, then 2, 4, 8 … seconds apart: a handful more in 200 s.
    assert counting.calls <= accounts.ADDRESS_FREE_FAILURES + 7
    assert refused >= 200 - accounts.ADDRESS_FREE_FAILURES - 7
    # The sprayer's address budget does not touch anyone else.
    assert sign_in(ctx, "user000", client=OWNER, now=T0 + timedelta(seconds=201))


def test_throttled_attempts_hash_nothing_and_store_nothing(ctx, monkeypatch):
    add_user(ctx, "lan", Role.COMMUNE, commune="13003")
    for i in range(accounts.PAIR_FREE_FAILURES):
        _try(ctx, "lan", "guess", ATTACKER, T0 + timedelta(seconds=i))
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", counting)
    with ctx.sessions() as session:
        before = session.scalar(select(func.count()).select_from(LoginAttempt))
    error = _try(ctx, "lan", PASSWORD, ATTACKER, T0 + timedelta(seconds=3))
    assert error.reason == "throttled" and counting.calls == 0
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == before


def test_parallel_sign_ins_do_not_skip_the_throttle(ctx, monkeypatch):
    """The probe: 30 parallel wrong passwords, 19 were checked instead of 5."""
    add_user(ctx, "lan", Role.COMMUNE, commune="13003")
    counting = CountingHasher(delay=0.05)
    monkeypatch.setattr(accounts, "_hasher", counting)
    reasons: list[str] = []

    def attempt() -> None:
        error = _try(ctx, "lan", "guess", ATTACKER, None)
        reasons.append(error.reason if error else "ok")

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reasons) == 30
    assert counting.calls <= accounts.PAIR_FREE_FAILURES
    assert reasons.count("throttled") >= 30 - accounts.PAIR_FREE_FAILURES


def test_at_most_four_hashes_at_once_and_the_rest_are_told_busy(ctx, monkeypatch):
    """The probe: 30 parallel sign-ins cost +964 MB (64 MiB each)."""
    counting = CountingHasher(delay=0.4)
    monkeypatch.setattr(accounts, "_hasher", counting)
    monkeypatch.setattr(accounts, "HASH_WAIT", 0.2)
    reasons: list[str] = []

    def attempt(i: int) -> None:  # 30 addresses, 30 names: no throttle applies
        error = _try(ctx, f"nobody{i}", "guess", f"192.0.2.{i}", None)
        reasons.append(error.reason if error else "ok")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert counting.most <= accounts.HASH_SLOTS
    assert "busy" in reasons
    assert set(reasons) <= {"busy", "bad_credentials"}
    # A busy refusal does not count as a failed attempt.
    with ctx.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(LoginAttempt))
    assert stored == reasons.count("bad_credentials")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_busy_and_throttled_have_messages(lang):
    assert catalog(lang)["signin.error.busy"]
    assert "15" not in catalog(lang)["signin.error.throttled"]
