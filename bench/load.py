"""Load test: N concurrent sessions, each loading a sample and training, on a real `streamlit run`.

Everything stays on the loopback interface (127.0.0.1), the number of sessions is bounded
(at most ``MAX_SESSIONS``) and so is the time (``timeout``); the server is stopped at the end.

Why a websocket client and not N browser contexts: the machine has 2 cores, shared with other
work. A Chromium tab running Streamlit's React front end costs a renderer process each (tens of
MB and a good share of a core while it lays out tables and Plotly charts), so 20 tabs would
compete with the server for the same 2 cores and the figures would mostly measure the browser.
This client speaks Streamlit's own protocol instead (protobuf ``BackMsg``/``ForwardMsg`` over
``/_stcore/stream``, the messages the front end exchanges): one asyncio process, a few MB, so
the server gets the cores, and every message the server sends is seen (including the
"Queued, n ahead of you" progress text, which a browser test could only catch by polling).
What it does not exercise, the front end itself, is covered by the Chromium tests in
``tests/e2e`` (journey, hostile file, session isolation).

Each session opens the app (Data page, the iris sample is loaded on a fresh session), picks a
sample in the "Or pick a sample" selectbox (iris, wine, breast cancer in turn), goes to Train,
and, once every session is there, all press Train at the same moment. A session succeeds when
the page says "Model trained in" and the sidebar says "Trained: target <its sample's target>",
with no error box and no exception.

Memory: the server process's resident set (plus any child processes) is sampled every 0.1 s
in a thread. ``rss_baseline_mb`` is taken after one warm-up session has trained and left (so
imports and the shared sample cache are in it); ``rss_after_mb`` after every session has
closed, Streamlit has dropped the disconnected sessions (the server runs with a short
``server.disconnectedSessionTTL``; Streamlit only reaps expired sessions when another session
disconnects, so a probe session connects and leaves), and ``settle`` seconds have passed.

Run ``python -m bench.load`` (``--sessions 5`` for a quick run, ``--capacity 1`` to force
the training queue). ``run()`` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/load.py` as well as `python -m bench.load`
    sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from dashboard.limits import LIMITS  # noqa: E402
from dashboard.samples import DEFAULT_SAMPLE, SAMPLES  # noqa: E402
from tests.e2e.conftest import start_server, stop_server  # noqa: E402

MAX_SESSIONS = 50
DEFAULT_SAMPLES = ("iris", "wine", "breast_cancer")
_DONE = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
APOLOGY = "something went wrong on our side"


class LoadTestError(RuntimeError):
    """A session saw something other than the expected page."""


@dataclass
class SessionResult:
    """What one simulated user saw."""

    index: int
    sample: str
    ok: bool = False
    seconds: float | None = None  # pressing Train -> "Model trained in" received
    queued: bool = False  # saw "Queued, n ahead of you"
    max_ahead: int = 0
    error: str = ""


@dataclass
class _Run:
    """The elements of one script run (and of the runs it triggered with st.rerun)."""

    widgets: dict[str, str] = field(default_factory=dict)  # label -> widget id
    markdown: list[str] = field(default_factory=list)
    alerts: list[tuple[int, str]] = field(default_factory=list)  # (format, body)
    progress: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    trained_at: float | None = None


class StreamlitClient:
    """A minimal Streamlit front end: sends reruns with widget states, reads the deltas."""

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.pages: dict[str, str] = {}  # page title -> page_script_hash

    async def rerun(
        self, *, page: str | None = None, widgets: tuple[WidgetState, ...] = (), on_message=None
    ) -> _Run:
        """Ask for a script run and collect what it shows until the script has finished."""
        msg = BackMsg()
        msg.rerun_script.SetInParent()
        if page is not None:
            msg.rerun_script.page_script_hash = self.pages[page]
        msg.rerun_script.widget_states.widgets.extend(widgets)
        await self.ws.send(msg.SerializeToString())
        run = _Run()
        while True:
            fwd = ForwardMsg.FromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                for app_page in fwd.navigation.app_pages:
                    self.pages[app_page.page_name] = app_page.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _collect(run, fwd.delta.new_element)
                if on_message is not None:
                    on_message(run)
            elif kind == "script_finished" and fwd.script_finished in _DONE:
                return run


def _collect(run: _Run, element) -> None:
    kind = element.WhichOneof("type")
    el = getattr(element, kind)
    if kind in ("button", "selectbox", "file_uploader", "multiselect"):
        run.widgets[el.label] = el.id
    elif kind == "markdown":
        run.markdown.append(el.body)
    elif kind == "alert":
        run.alerts.append((el.format, el.body))
        if el.body.startswith("Model trained in") and run.trained_at is None:
            run.trained_at = time.monotonic()
    elif kind == "progress":
        run.progress.append(el.text)
    elif kind == "exception":
        run.exceptions.append(f"{el.type}: {el.message}")


def _unescape(markdown: str) -> str:
    """Undo the app's markdown escaping (a backslash before punctuation)."""
    return re.sub(r"\\([!-/:-@[-`{-~])", r"\1", markdown)


def _check(run: _Run, where: str) -> None:
    if run.exceptions:
        raise LoadTestError(f"{where}: exception shown: {run.exceptions[0]}")
    for fmt, body in run.alerts:
        if fmt == 1 or APOLOGY in body:  # Alert.ERROR
            raise LoadTestError(f"{where}: error shown: {body}")


async def _connect(url: str) -> StreamlitClient:
    ws = await connect(
        url.replace("http://", "ws://") + "/_stcore/stream",
        subprotocols=["streamlit"],
        origin=url,
        proxy=None,  # loopback only, whatever the environment says
        max_size=None,
        open_timeout=60,
    )
    return StreamlitClient(ws)


async def _open_on_train(client: StreamlitClient, result: SessionResult) -> str:
    """Open the app, pick the session's sample, go to Train; return the Train button's id."""
    first = await client.rerun()
    _check(first, "Data page")
    title = SAMPLES[result.sample].title
    if result.sample != DEFAULT_SAMPLE:  # a fresh session already has the default sample
        picked = await client.rerun(
            page="Data",
            widgets=(WidgetState(id=first.widgets["Or pick a sample"], string_value=title),),
        )
        _check(picked, "picking a sample")
        first = picked
    if not any(f"**{title}**" in _unescape(m) for m in first.markdown):
        raise LoadTestError(f"the sidebar does not name {title!r}: {first.markdown[:2]}")
    train = await client.rerun(page="Train")
    _check(train, "Train page")
    if "Train" not in train.widgets:
        raise LoadTestError("the Train page has no Train button")
    return train.widgets["Train"]


async def _press_train(client: StreamlitClient, button: str, result: SessionResult) -> None:
    def watch(run: _Run) -> None:
        for text in run.progress:
            if text.startswith("Queued"):
                result.queued = True
                words = text.split()
                if len(words) > 1 and words[1].isdigit():
                    result.max_ahead = max(result.max_ahead, int(words[1]))

    pressed = time.monotonic()
    run = await client.rerun(
        page="Train", widgets=(WidgetState(id=button, trigger_value=True),), on_message=watch
    )
    _check(run, "training")
    if run.trained_at is None:
        raise LoadTestError("no 'Model trained in' after pressing Train")
    target = SAMPLES[result.sample].target
    if not any(f"Trained: target **{target}**" in _unescape(m) for m in run.markdown):
        raise LoadTestError(f"the sidebar does not say 'Trained: target {target}'")
    result.seconds = run.trained_at - pressed
    result.ok = True


async def _sessions(url: str, results: list[SessionResult], deadline: float) -> None:
    """Every session to the Train page, then all press Train together; close them at the end."""
    clients: list[StreamlitClient | None] = [None] * len(results)
    buttons: list[str | None] = [None] * len(results)

    async def prepare(i: int) -> None:
        try:
            clients[i] = await _connect(url)
            buttons[i] = await _open_on_train(clients[i], results[i])
        except Exception as err:  # noqa: BLE001 - reported per session
            results[i].error = f"before training: {type(err).__name__}: {err}"

    async def train(i: int) -> None:
        try:
            await _press_train(clients[i], buttons[i], results[i])
        except Exception as err:  # noqa: BLE001 - reported per session
            results[i].error = f"training: {type(err).__name__}: {err}"

    async def bounded(coros) -> None:
        tasks = [asyncio.ensure_future(c) for c in coros]
        _, pending = await asyncio.wait(tasks, timeout=max(deadline - time.monotonic(), 0))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    try:
        await bounded(prepare(i) for i in range(len(results)))
        for i, r in enumerate(results):
            if buttons[i] is None and not r.error:
                r.error = "timed out before training"
        await bounded(train(i) for i in range(len(results)) if buttons[i] is not None)
        for r in results:
            if not r.ok and not r.error:
                r.error = "timed out while training"
    finally:
        await asyncio.gather(
            *(c.ws.close() for c in clients if c is not None), return_exceptions=True
        )


async def _one_visit(url: str, timeout: float) -> None:
    """One session that opens the app and leaves (used to warm up and to reap old sessions)."""
    client = await asyncio.wait_for(_connect(url), timeout)
    try:
        await asyncio.wait_for(client.rerun(), timeout)
    finally:
        await client.ws.close()


async def _warm_up(url: str, timeout: float) -> None:
    result = SessionResult(index=-1, sample=DEFAULT_SAMPLE)
    client = await _connect(url)
    try:
        button = await asyncio.wait_for(_open_on_train(client, result), timeout)
        await asyncio.wait_for(_press_train(client, button, result), timeout)
    finally:
        await client.ws.close()


class MemorySampler(threading.Thread):
    """Sample the resident memory of a process and its children every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def rss(self) -> int:
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a child may have just exited
                total += proc.memory_info().rss
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.peak = max(self.peak, self.rss())
            except psutil.Error:
                return
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class TimelineSampler(MemorySampler):
    """A :class:`MemorySampler` that keeps every ``(monotonic time, RSS)`` sample."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(pid, interval)
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                rss = self.rss()
            except psutil.Error:
                return
            self.samples.append((time.monotonic(), rss))
            self.peak = max(self.peak, rss)
            self._stop_event.wait(self.interval)


def _run_async(coro) -> None:
    """Run a coroutine to completion in its own thread and event loop.

    A thread, because the caller may already have a running loop (Playwright's sync API keeps
    one in the main thread of a pytest session).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def _percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default) of a non-empty list."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[int(q) - 1]


def run(
    sessions: int = 20,
    *,
    samples: tuple[str, ...] = DEFAULT_SAMPLES,
    capacity: int | None = None,
    timeout: float = 600.0,
    session_ttl: int = 2,
    settle: float = 5.0,
    env: dict[str, str] | None = None,
) -> dict:
    """Run the load test and return its figures.

    Parameters
    ----------
    sessions : int
        How many concurrent sessions (1 to ``MAX_SESSIONS``).
    samples : tuple of str
        Sample keys given to the sessions in turn.
    capacity : int, optional
        ``SOFTMAX_LAB_MAX_CONCURRENT_TRAININGS`` for the server; None keeps the environment's
        (the product's default when unset).
    timeout : float
        Seconds for the sessions' part (opening, picking, training); sessions still busy then
        are counted as failures.
    session_ttl : int
        ``server.disconnectedSessionTTL`` for the server, in seconds.
    settle : float
        Seconds to wait before measuring memory after the sessions have ended.
    env : dict, optional
        More environment variables for the server.

    Returns
    -------
    dict
        ``sessions``, ``succeeded``, ``errors`` (one line per failed session), ``queued``
        (sessions that saw "Queued"), ``max_ahead``, ``p50_s``, ``p95_s``, ``max_s`` (time from
        pressing Train to "Model trained in"), ``wall_s`` (the sessions' part), ``capacity``,
        ``rss_idle_mb``, ``rss_baseline_mb``, ``rss_peak_mb``, ``rss_after_mb``,
        ``samples`` (sessions per sample) and ``cpu_count``.
    """
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be between 1 and {MAX_SESSIONS}, got {sessions}")
    unknown = [s for s in samples if s not in SAMPLES]
    if unknown or not samples:
        raise ValueError(f"unknown samples {unknown}; choose from {sorted(SAMPLES)}")
    server_env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(session_ttl), **(env or {})}
    if capacity is not None:
        server_env["SOFTMAX_LAB_MAX_CONCURRENT_TRAININGS"] = str(capacity)
    # The server inherits this process's environment, so its default is ours.
    effective = server_env.get(
        "SOFTMAX_LAB_MAX_CONCURRENT_TRAININGS", str(LIMITS.max_concurrent_trainings)
    )
    results = [SessionResult(index=i, sample=samples[i % len(samples)]) for i in range(sessions)]
    proc, url = start_server(env=server_env)
    sampler = MemorySampler(proc.pid)
    mb = 1024 * 1024
    try:
        idle = sampler.rss()
        sampler.start()
        _run_async(_warm_up(url, timeout))
        time.sleep(session_ttl + 1)
        _run_async(_one_visit(url, timeout))
        time.sleep(settle)
        baseline = sampler.rss()
        started = time.monotonic()
        _run_async(_sessions(url, results, started + timeout))
        wall = time.monotonic() - started
        time.sleep(session_ttl + 1)
        _run_async(_one_visit(url, timeout))
        time.sleep(settle)
        after = sampler.rss()
    finally:
        if sampler.is_alive():
            sampler.stop()
        log = stop_server(proc)
    times = sorted(r.seconds for r in results if r.ok and r.seconds is not None)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.sample] = counts.get(r.sample, 0) + 1
    return {
        "sessions": sessions,
        "succeeded": sum(r.ok for r in results),
        "errors": [f"session {r.index} ({r.sample}): {r.error}" for r in results if not r.ok],
        "queued": sum(r.queued for r in results),
        "max_ahead": max((r.max_ahead for r in results), default=0),
        "p50_s": _percentile(times, 50),
        "p95_s": _percentile(times, 95),
        "max_s": times[-1] if times else None,
        "wall_s": wall,
        "capacity": effective,
        "rss_idle_mb": idle / mb,
        "rss_baseline_mb": baseline / mb,
        "rss_peak_mb": sampler.peak / mb,
        "rss_after_mb": after / mb,
        "samples": counts,
        "cpu_count": os.cpu_count(),
        "server_log_tail": log[-4000:] if any(not r.ok for r in results) else "",
    }


# --------------------------------------------------------------------------- uploads and memory

UPLOAD_LABEL = "Upload a CSV file"  # the Data page's st.file_uploader


async def _upload(url: str, raw: bytes, name: str, index: int) -> dict:
    """One session: open the app, upload ``raw`` as the browser does, read the Data page.

    The browser's steps: ask the server for an upload URL (a ``file_urls_request``), PUT the
    file there (multipart), then rerun with the uploader's state naming the file.
    """
    import requests
    from streamlit.proto.Common_pb2 import FileURLs

    client = await _connect(url)
    out = {"index": index, "ok": False, "refused": False, "error": "", "seconds": None}
    try:
        session_id = None
        first = _Run()
        msg = BackMsg()
        msg.rerun_script.SetInParent()
        await client.ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg.FromString(await client.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                session_id = fwd.new_session.initialize.session_id
            elif kind == "navigation":
                for app_page in fwd.navigation.app_pages:
                    client.pages[app_page.page_name] = app_page.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _collect(first, fwd.delta.new_element)
            elif kind == "script_finished" and fwd.script_finished in _DONE:
                break
        widget = first.widgets[UPLOAD_LABEL]
        request = BackMsg()
        request.file_urls_request.request_id = f"upload-{index}"
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = session_id
        await client.ws.send(request.SerializeToString())
        while True:
            fwd = ForwardMsg.FromString(await client.ws.recv())
            if fwd.WhichOneof("type") == "file_urls_response":
                urls: FileURLs = fwd.file_urls_response.file_urls[0]
                break
        started = time.monotonic()

        def put() -> None:
            answer = requests.put(
                url + urls.upload_url,
                files={"file": (name, raw, "text/csv")},
                timeout=600,
                proxies={"http": None, "https": None},  # loopback only
            )
            answer.raise_for_status()

        await asyncio.to_thread(put)
        out["uploaded_at"] = time.monotonic()
        state = WidgetState(id=widget)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(raw)
        info.file_urls.CopyFrom(urls)
        run = await client.rerun(page="Data", widgets=(state,))
        out["seconds"] = time.monotonic() - started
        errors = [body for fmt, body in run.alerts if fmt == 1]
        if run.exceptions:
            out["error"] = run.exceptions[0]
        elif any("cannot make room" in e for e in errors):
            out["refused"] = True
        elif errors:
            out["error"] = errors[0]
        elif any(name in _unescape(m) for m in run.markdown):
            out["ok"] = True
        else:
            out["error"] = "the page does not name the uploaded file"
    except Exception as err:  # noqa: BLE001 - reported per session
        out["error"] = f"{type(err).__name__}: {err}"
    finally:
        await client.ws.close()
    return out


def run_uploads(
    sessions: int = 10,
    *,
    upload_mb: float = 150.0,
    budget_bytes: int | None = None,
    timeout: float = 900.0,
    settle: float = 5.0,
) -> dict:
    """``sessions`` sessions each upload a ``upload_mb`` MB CSV at the same moment.

    The server's resident memory (with children) is sampled every 0.1 s; the figures say
    how far its peak stays within the memory budget (``SOFTMAX_LAB_MEMORY_BUDGET_BYTES``,
    ``budget_bytes``; by default the product's, 60 % of the machine's memory) and what each
    session keeps once every upload is read (one copy of the data: the table).

    Returns
    -------
    dict
        ``sessions``, ``loaded``, ``refused`` (told plainly that the server has no room),
        ``errors``, ``upload_mb`` (each file), ``table_mb`` (its table in memory),
        ``budget_mb``, ``rss_idle_mb``, ``rss_peak_mb``, ``rss_loaded_mb`` (every session
        still open, its table kept), ``kept_per_session_mb`` (``rss_loaded - rss_idle`` per
        loaded session), ``p50_s``/``max_s`` (upload to the page drawn), ``wall_s``.
    """
    import io

    import pandas as pd

    from bench.ingest import mixed_csv
    from dashboard.concurrency import default_budget_bytes

    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be between 1 and {MAX_SESSIONS}, got {sessions}")
    mb = 1024 * 1024
    rows = max(int(upload_mb * mb / 121 * 1_000_000 / mb), 1000)  # 121 MB per 1M rows
    raw = mixed_csv(rows, cols=20)
    table_mb = float(pd.read_csv(io.BytesIO(raw)).memory_usage(deep=True).sum()) / mb
    budget = default_budget_bytes(budget_bytes or LIMITS.memory_budget_bytes)
    env = {
        "SOFTMAX_LAB_MEMORY_BUDGET_BYTES": str(budget),
        "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "false",  # this client sends no cookie
        "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": str(int(len(raw) / mb) + 10),
        "SOFTMAX_LAB_MAX_UPLOAD_BYTES": str(len(raw) + 10 * mb),
    }
    proc, url = start_server(env=env)
    sampler = TimelineSampler(proc.pid)
    results: list[dict] = []

    async def everyone() -> None:
        tasks = [
            asyncio.ensure_future(_upload(url, raw, f"upload_{i}.csv", i)) for i in range(sessions)
        ]
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        results.extend(t.result() for t in done if not t.cancelled())

    try:
        _run_async(_one_visit(url, timeout))  # imports and the default sample, once
        time.sleep(settle)
        idle = sampler.rss()
        sampler.start()
        started = time.monotonic()
        _run_async(everyone())
        wall = time.monotonic() - started
        time.sleep(settle)
        loaded_rss = sampler.rss()
    finally:
        if sampler.is_alive():
            sampler.stop()
        log = stop_server(proc)
    loaded = [r for r in results if r["ok"]]
    times = sorted(r["seconds"] for r in loaded if r["seconds"] is not None)
    # Until the last file has arrived, the peak is Streamlit's upload layer (the bytes reach
    # the server before the app sees them); after, it is the app reading them.
    arrived = max((r.get("uploaded_at", 0.0) for r in results), default=0.0)
    arriving = [rss for t, rss in sampler.samples if t <= arrived] or [0]
    reading = [rss for t, rss in sampler.samples if t > arrived] or [0]
    errors = [f"session {r['index']}: {r['error']}" for r in results if r["error"]]
    errors += [f"session {i}: timed out" for i in range(sessions - len(results))]
    return {
        "sessions": sessions,
        "loaded": len(loaded),
        "refused": sum(r["refused"] for r in results),
        "errors": errors,
        "upload_mb": len(raw) / mb,
        "table_mb": table_mb,
        "budget_mb": budget / mb,
        "rss_idle_mb": idle / mb,
        "rss_peak_mb": sampler.peak / mb,
        "rss_peak_arriving_mb": max(arriving) / mb,
        "rss_peak_reading_mb": max(reading) / mb,
        "rss_loaded_mb": loaded_rss / mb,
        "kept_per_session_mb": (loaded_rss - idle) / mb / max(len(loaded), 1),
        "p50_s": _percentile(times, 50),
        "max_s": times[-1] if times else None,
        "wall_s": wall,
        "load_start": os.getloadavg()[0],
        "server_log_tail": log[-4000:] if errors else "",
    }


def format_uploads(figures: dict) -> str:
    """The upload figures as a two-column text table, the goal beside them."""
    within = figures["rss_peak_mb"] <= figures["budget_mb"]
    rows = [
        (
            "sessions (loaded / refused / opened)",
            f"{figures['loaded']} / {figures['refused']} / {figures['sessions']}",
        ),
        (
            "each upload",
            f"{figures['upload_mb']:.0f} MB of CSV, {figures['table_mb']:.0f} MB as a table",
        ),
        ("memory budget", f"{figures['budget_mb']:,.0f} MB"),
        ("server RSS before the uploads", f"{figures['rss_idle_mb']:.0f} MB"),
        (
            "server RSS, peak",
            f"{figures['rss_peak_mb']:,.0f} MB: {'within' if within else 'ABOVE'} the budget",
        ),
        (
            "  while the files arrive / while read",
            f"{figures.get('rss_peak_arriving_mb', 0):,.0f} MB / "
            f"{figures.get('rss_peak_reading_mb', 0):,.0f} MB",
        ),
        ("server RSS, every table loaded", f"{figures['rss_loaded_mb']:,.0f} MB"),
        (
            "kept per loaded session (goal: one copy)",
            f"{figures['kept_per_session_mb']:.0f} MB (the table: {figures['table_mb']:.0f} MB)",
        ),
        (
            "upload -> page drawn, p50 / max",
            f"{figures['p50_s'] or 0:.1f} s / {figures['max_s'] or 0:.1f} s",
        ),
        ("load average at the start", f"{figures['load_start']:.1f} on {os.cpu_count()} cores"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    lines += [f"FAILED {e}" for e in figures["errors"]]
    return "\n".join(lines)


def format_table(figures: dict) -> str:
    """The figures as a two-column text table."""

    def sec(v):
        return "-" if v is None else f"{v:.2f} s"

    rows = [
        ("sessions (succeeded / opened)", f"{figures['succeeded']} / {figures['sessions']}"),
        ("samples", ", ".join(f"{k} × {v}" for k, v in figures["samples"].items())),
        ("trainings at once (capacity)", str(figures["capacity"])),
        (
            "sessions that were queued",
            f"{figures['queued']} (at most {figures['max_ahead']} ahead)",
        ),
        ("Train -> trained, p50", sec(figures["p50_s"])),
        ("Train -> trained, p95", sec(figures["p95_s"])),
        ("Train -> trained, max", sec(figures["max_s"])),
        ("all sessions, wall time", sec(figures["wall_s"])),
        ("server RSS, idle", f"{figures['rss_idle_mb']:.0f} MB"),
        ("server RSS, baseline (after warm-up)", f"{figures['rss_baseline_mb']:.0f} MB"),
        ("server RSS, peak", f"{figures['rss_peak_mb']:.0f} MB"),
        ("server RSS, after the sessions ended", f"{figures['rss_after_mb']:.0f} MB"),
        ("cores", str(figures["cpu_count"])),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    lines += [f"FAILED {e}" for e in figures["errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--samples", default=",".join(DEFAULT_SAMPLES))
    parser.add_argument(
        "--uploads", action="store_true", help="each session uploads a large CSV instead"
    )
    parser.add_argument("--upload-mb", type=float, default=150.0)
    parser.add_argument("--budget-mb", type=float, default=None)
    args = parser.parse_args(argv)
    if args.uploads:
        figures = run_uploads(
            args.sessions,
            upload_mb=args.upload_mb,
            budget_bytes=int(args.budget_mb * 2**20) if args.budget_mb else None,
            timeout=args.timeout,
        )
        print(format_uploads(figures))
        if figures["server_log_tail"]:
            print("\nserver log (tail):\n" + figures["server_log_tail"])
        return 0 if not figures["errors"] else 1
    figures = run(
        args.sessions,
        samples=tuple(s.strip() for s in args.samples.split(",") if s.strip()),
        capacity=args.capacity,
        timeout=args.timeout,
    )
    print(format_table(figures))
    if figures["server_log_tail"]:
        print("\nserver log (tail):\n" + figures["server_log_tail"])
    return 0 if figures["succeeded"] == figures["sessions"] else 1


if __name__ == "__main__":
    sys.exit(main())
