"""A first-come, first-served gate that lets at most N trainings run at once on the server."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress


class TrainingGate:
    """Admit at most ``capacity`` holders at once; the others wait in arrival order.

    Parameters
    ----------
    capacity : int
        How many trainings may run at the same time (at least 1).

    Examples
    --------
    >>> gate = TrainingGate(capacity=1)
    >>> first, second = gate.join(), gate.join()
    >>> gate.wait(first, timeout=0), gate.wait(second, timeout=0)
    (True, False)
    >>> gate.ahead(second)
    0
    >>> gate.leave(first)
    >>> gate.wait(second, timeout=0)
    True
    """

    def __init__(self, capacity: int):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        self.capacity = capacity
        self._cond = threading.Condition()
        self._waiting: deque[int] = deque()
        self._running: set[int] = set()
        self._tickets = itertools.count()

    def join(self) -> int:
        """Take a place at the end of the queue and return its ticket."""
        with self._cond:
            ticket = next(self._tickets)
            self._waiting.append(ticket)
            return ticket

    def ahead(self, ticket: int) -> int:
        """How many waiting trainings are before this ticket (0 when it is next, or running)."""
        with self._cond:
            try:
                return self._waiting.index(ticket)
            except ValueError:
                return 0

    def _startable(self, ticket: int) -> bool:
        return (
            bool(self._waiting)
            and self._waiting[0] == ticket
            and len(self._running) < self.capacity
        )

    def wait(self, ticket: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a slot; return whether the training may start."""
        with self._cond:
            if ticket in self._running:
                return True
            if not self._cond.wait_for(lambda: self._startable(ticket), timeout=timeout):
                return False
            self._waiting.popleft()
            self._running.add(ticket)
            return True

    def leave(self, ticket: int) -> None:
        """Give up a slot or a place in the queue (safe to call more than once)."""
        with self._cond:
            self._running.discard(ticket)
            with suppress(ValueError):
                self._waiting.remove(ticket)
            self._cond.notify_all()

    @contextmanager
    def slot(
        self, *, on_wait: Callable[[int], None] | None = None, poll: float = 0.5
    ) -> Iterator[None]:
        """Hold a slot for the body of a ``with`` block, calling ``on_wait(ahead)`` while queued."""
        ticket = self.join()
        try:
            while not self.wait(ticket, poll):
                if on_wait is not None:
                    on_wait(self.ahead(ticket))
            yield
        finally:
            self.leave(ticket)
