"""The server-wide memory budget: admit, wait in turn, refuse, against hand-worked numbers."""

from __future__ import annotations

import gc
import threading

import pytest

from dashboard.concurrency import MB, MemoryBudget, default_budget_bytes
from dashboard.errors import SoftmaxLabError


class Owner:
    """Something a session keeps (a table): its reservation goes when it is collected."""


def test_admit_wait_refuse_by_hand():
    # Budget 1000: a session keeps 300 (a table), a load of 500 is in progress.
    # Free now: 1000 - 800 = 200. Free once the work ends: 1000 - 300 = 700.
    budget = MemoryBudget(total=1000)
    budget.reserve(300, timeout=0).keep(300)
    budget.reserve(500, timeout=0)
    assert (budget.held, budget.kept_bytes) == (800, 300)
    assert budget.decide(200) == "admit"  # 200 <= 200
    assert budget.decide(201) == "wait"  # 201 > 200 but <= 700
    assert budget.decide(700) == "wait"
    assert budget.decide(701) == "refuse"  # 701 > 700: kept data is never taken back


def test_a_request_that_cannot_fit_is_refused_at_once_with_plain_words():
    budget = MemoryBudget(total=1000 * MB)
    budget.reserve(600 * MB, timeout=0).keep(600 * MB)
    with pytest.raises(SoftmaxLabError) as err:
        budget.reserve(450 * MB, timeout=3600, what="loading this file")
    message = str(err.value)
    # 1000 - 600 = 400 MB left beside the kept data; the request needs 450 MB
    assert "loading this file" in message and "450 MB" in message and "400 MB" in message
    assert "Your data and model stay as they are" in message
    assert budget.held == 600 * MB  # the refused request holds nothing


def test_a_request_that_would_fit_later_is_refused_after_its_timeout():
    budget = MemoryBudget(total=1000)
    budget.reserve(900, timeout=0)  # work in progress
    with pytest.raises(SoftmaxLabError):
        budget.reserve(200, timeout=0)  # would wait: 200 > 100 free, <= 1000
    assert budget.held == 900


def test_a_waiting_request_starts_when_the_work_ahead_ends():
    budget = MemoryBudget(total=1000)
    load = budget.reserve(700, timeout=0)
    waits: list[int] = []
    waiting = threading.Event()
    got = []

    def on_wait(ahead: int) -> None:
        waits.append(ahead)
        waiting.set()

    def second():
        got.append(budget.reserve(600, timeout=3600, on_wait=on_wait, poll=0.01))

    thread = threading.Thread(target=second)
    thread.start()
    assert waiting.wait(60)  # it waits: 600 > 300 free
    assert budget.held == 700
    load.release()
    thread.join(60)
    assert got and got[0].nbytes == 600
    assert budget.held == 600
    assert waits[0] == 0  # first in the queue


def test_first_come_first_served():
    budget = MemoryBudget(total=1000)
    work = budget.reserve(800, timeout=0)
    first_waiting = threading.Event()
    order: list[str] = []

    def big():
        budget.reserve(900, timeout=3600, on_wait=lambda a: first_waiting.set(), poll=0.01)
        order.append("big")

    thread = threading.Thread(target=big)
    thread.start()
    assert first_waiting.wait(60)
    # 150 would fit in the 200 free bytes, but the 900 came first
    with pytest.raises(SoftmaxLabError):
        budget.reserve(150, timeout=0)
    work.release()
    thread.join(60)
    assert order == ["big"] and budget.held == 900


def test_keep_measures_and_the_owner_releases():
    budget = MemoryBudget(total=1000)
    owner = Owner()
    budget.reserve(500, timeout=0).keep(320, owner)  # estimated 500, measured 320
    assert (budget.held, budget.kept_bytes) == (320, 320)
    del owner
    gc.collect()
    assert (budget.held, budget.kept_bytes) == (0, 0)


def test_release_twice_and_the_with_block():
    budget = MemoryBudget(total=1000)
    with budget.reserve(400, timeout=0) as work:
        assert budget.held == 400
    assert budget.held == 0
    work.release()
    assert budget.held == 0
    with budget.reserve(400, timeout=0) as kept:
        kept.keep(100)
    assert budget.held == 100  # kept data outlives the block


def test_on_wait_may_give_up():
    budget = MemoryBudget(total=1000)
    budget.reserve(900, timeout=0)

    class Stop(Exception):
        pass

    def stop(ahead: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        budget.reserve(500, timeout=3600, on_wait=stop, poll=0.01)
    assert budget.held == 900
    assert budget.decide(100) == "admit"  # the given-up request left the queue


def test_the_default_budget():
    import psutil

    assert default_budget_bytes(123_456) == 123_456
    assert default_budget_bytes(0) == int(0.6 * psutil.virtual_memory().total)
    with pytest.raises(ValueError):
        MemoryBudget(total=0)
