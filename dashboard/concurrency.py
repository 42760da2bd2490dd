"""Server-wide sharing: the training gate (at most N trainings at once) and the memory budget."""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from dashboard.errors import SoftmaxLabError

MB = 1024 * 1024
# What a load and a training cost at their peak, as multiples of what they read. A load:
# bench/load.py --uploads (ten 151 MB CSVs read at once) peaked 4.4 GB above the idle
# server, 2.9x each upload with its bytes; bench/memory.py (121 MB of CSV, a 161 MB table):
# 1.9x the table above the bytes, the table 1.33x the bytes. A training: bench/memory.py
# measured a peak of 11.5x the table above it (1M rows x 20 columns, 18 features, 6 C x 5
# folds, two folds at once; issue 14's goal is 3x): counted as 12x the columns it reads, so
# that the budget holds what training really takes. The uploads' bytes reach the server
# before the app sees them (Streamlit's server.maxUploadSize bounds each; ten 151 MB files
# arriving at once took 3.6 GB before any was read) and the server's own ~270 MB are not
# counted: the default share leaves room for both.
LOAD_PEAK_PER_UPLOAD_BYTE = 3.0
TRAIN_PEAK_PER_TABLE_BYTE = 12.0
DEFAULT_BUDGET_SHARE = 0.6  # of the machine's memory, without SOFTMAX_LAB_MEMORY_BUDGET_BYTES


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


def default_budget_bytes(configured: int = 0) -> int:
    """The server's memory budget: ``configured`` if above 0, else 60 % of the machine's memory.

    ``configured`` is ``LIMITS.memory_budget_bytes`` (``SOFTMAX_LAB_MEMORY_BUDGET_BYTES``).
    """
    if configured > 0:
        return int(configured)
    import psutil

    return int(DEFAULT_BUDGET_SHARE * psutil.virtual_memory().total)


def load_estimate(upload_bytes: int) -> int:
    """Peak bytes of reading an upload of ``upload_bytes`` into a table (the bytes included)."""
    return int(LOAD_PEAK_PER_UPLOAD_BYTE * max(int(upload_bytes), 0))


def training_estimate(table_bytes: int) -> int:
    """Peak bytes of training on columns that take ``table_bytes`` in memory."""
    return int(TRAIN_PEAK_PER_TABLE_BYTE * max(int(table_bytes), 0))


def _mb(nbytes: int) -> str:
    return f"{nbytes / MB:,.0f} MB"


class Reservation:
    """Bytes held in a :class:`MemoryBudget` until :meth:`release` (safe to call twice).

    A reservation is *work* (a load or a training in progress, over soon) until :meth:`keep`
    turns it into data a session keeps (its table, its model), released when that object is
    garbage-collected (the session ended or replaced it) or by :meth:`release`.
    """

    def __init__(self, budget: MemoryBudget, ticket: int, nbytes: int) -> None:
        self.budget = budget
        self.ticket = ticket
        self.nbytes = int(nbytes)
        self.kept = False

    def keep(self, nbytes: int, owner: object | None = None) -> Reservation:
        """Hold ``nbytes`` (what the session keeps, measured) for as long as ``owner`` lives."""
        self.budget._keep(self, int(nbytes))
        if owner is not None:
            weakref.finalize(owner, self.release)
        return self

    def release(self) -> None:
        """Give the bytes back to the budget."""
        self.budget._release(self)

    def __enter__(self) -> Reservation:
        return self

    def __exit__(self, *exc) -> None:
        if not self.kept:
            self.release()


class MemoryBudget:
    """A server-wide budget of bytes that loads and trainings reserve before they start.

    A request is *admitted* when it fits beside everything held; it *waits* (first come, first
    served) when it would fit once the work in progress ends; it is *refused* at once when it
    could not fit even then, beside the data that sessions keep: nobody's kept data is ever
    taken back to make room.

    Parameters
    ----------
    total : int
        The budget in bytes (at least 1).

    Examples
    --------
    >>> budget = MemoryBudget(total=1000)
    >>> table = budget.reserve(300, timeout=0).keep(300)  # a session keeps a table
    >>> load = budget.reserve(500, timeout=0)  # a load in progress
    >>> budget.held, budget.kept_bytes
    (800, 300)
    >>> budget.decide(200), budget.decide(400), budget.decide(800)
    ('admit', 'wait', 'refuse')
    >>> load.release()
    >>> budget.decide(400)
    'admit'
    """

    def __init__(self, total: int) -> None:
        if int(total) < 1:
            raise ValueError(f"total must be at least 1 byte, got {total!r}")
        self.total = int(total)
        self._cond = threading.Condition()
        self._held: dict[int, Reservation] = {}
        self._waiting: deque[int] = deque()
        self._tickets = itertools.count()

    @property
    def held(self) -> int:
        """Bytes reserved now (work in progress and kept data)."""
        with self._cond:
            return sum(r.nbytes for r in self._held.values())

    @property
    def kept_bytes(self) -> int:
        """Bytes of data that sessions keep."""
        with self._cond:
            return sum(r.nbytes for r in self._held.values() if r.kept)

    def decide(self, nbytes: int) -> str:
        """``"admit"``, ``"wait"`` or ``"refuse"`` for a request of ``nbytes`` now."""
        with self._cond:
            return self._decide(int(nbytes))

    def _decide(self, nbytes: int) -> str:
        held = sum(r.nbytes for r in self._held.values())
        kept = sum(r.nbytes for r in self._held.values() if r.kept)
        if nbytes > self.total - kept:
            return "refuse"
        return "admit" if nbytes <= self.total - held else "wait"

    def _refusal(self, nbytes: int, what: str) -> SoftmaxLabError:
        kept = sum(r.nbytes for r in self._held.values() if r.kept)
        return SoftmaxLabError(
            f"The server cannot make room for {what} now: it needs about {_mb(nbytes)} of "
            f"memory and {_mb(max(self.total - kept, 0))} of the server's "
            f"{_mb(self.total)} are left beside the data other sessions keep",
            where="server memory",
            hint="Try a smaller file or fewer columns, or try again later. "
            "Your data and model stay as they are.",
        )

    def reserve(
        self,
        nbytes: int,
        *,
        timeout: float,
        what: str = "this",
        on_wait: Callable[[int], None] | None = None,
        poll: float = 0.5,
    ) -> Reservation:
        """Reserve ``nbytes`` as work in progress, waiting up to ``timeout`` seconds in turn.

        ``on_wait(ahead)`` is called while waiting (it may raise to give up). Raises
        :class:`~dashboard.errors.SoftmaxLabError` (naming ``what``) when the request is
        refused, or still does not fit after ``timeout`` seconds.
        """
        nbytes = max(int(nbytes), 0)
        deadline = time.monotonic() + max(float(timeout), 0.0)
        with self._cond:
            ticket = next(self._tickets)
            self._waiting.append(ticket)
        try:
            while True:
                with self._cond:
                    verdict = self._decide(nbytes)
                    if verdict == "refuse":
                        raise self._refusal(nbytes, what)
                    if verdict == "admit" and self._waiting[0] == ticket:
                        self._waiting.popleft()
                        reservation = Reservation(self, ticket, nbytes)
                        self._held[ticket] = reservation
                        self._cond.notify_all()
                        return reservation
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise self._refusal(nbytes, what)
                    ahead = self._waiting.index(ticket)
                    self._cond.wait(min(poll, left))
                if on_wait is not None:
                    on_wait(ahead)
        finally:
            with self._cond:
                with suppress(ValueError):
                    self._waiting.remove(ticket)
                self._cond.notify_all()

    def keep(self, nbytes: int, owner: object | None = None) -> Reservation:
        """Count ``nbytes`` of data that already exists (a session's table) as kept, at once.

        No admission: the data is there; refusing to count it would only make the budget lie.
        """
        with self._cond:
            reservation = Reservation(self, next(self._tickets), 0)
        return reservation.keep(nbytes, owner)

    def _keep(self, reservation: Reservation, nbytes: int) -> None:
        with self._cond:
            reservation.nbytes = nbytes
            reservation.kept = True
            self._held[reservation.ticket] = reservation
            self._cond.notify_all()

    def _release(self, reservation: Reservation) -> None:
        with self._cond:
            self._held.pop(reservation.ticket, None)
            self._cond.notify_all()
