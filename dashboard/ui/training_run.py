"""Training in a session: a background job behind the server-wide gate, its progress, Stop.

A training started on the Train page runs in a thread of its own (a :class:`TrainingJob`), so
the user may open other pages while it runs. The thread never calls Streamlit: it writes its
status and progress into the job, a plain object kept under the session key :data:`JOB`, and
the pages read it: the Train page shows a progress bar while the user stays there, the sidebar
shows a small one on every other page (a fragment that polls), and whichever page is open when
the job ends takes the model in (:func:`collect_finished`) and redraws itself.

Stop (on Train) asks the job to stop; so does a closed browser tab, which the job notices by
itself (the session is no longer connected), so that it frees its place at the gate.
"""

from __future__ import annotations

import logging
import threading
import time

import streamlit as st

from dashboard.concurrency import TrainingGate, training_estimate
from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS
from dashboard.ui import memo, state
from dashboard.ui.guards import guarded, log_unexpected, show_apology, show_error

log = logging.getLogger("softmax_lab")

STOPPED = "Training stopped. The previous model, if any, is still in place."
JOB = state.TRAINING_JOB  # plain session key: this session's TrainingJob (running, or ended)
TRAIN_NOTICE = "training_notice"  # how the last job ended, for the Train page (shown once)
SIDEBAR_NOTICE = "training_sidebar_notice"  # "Model trained" or a failure, for the sidebar (once)
POLL_SECONDS = 1.0  # how often the sidebar looks at a running job
STOP_WAIT_SECONDS = 10.0  # how long Stop waits for the job to end before the page watches it


@st.cache_resource
def training_gate() -> TrainingGate:
    """The server-wide gate: at most LIMITS.max_concurrent_trainings at once."""
    return TrainingGate(capacity=LIMITS.max_concurrent_trainings)


def _fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def _session_id() -> str | None:
    """This session's id on a real server (None outside one, e.g. in AppTest)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    return ctx.session_id


def _session_connected(session_id: str | None) -> bool:
    """Whether a session's browser is still connected (True for None: no server to ask).

    Safe from any thread: it asks the runtime's session manager, not the script's context.
    """
    if session_id is None:
        return True
    from streamlit import runtime

    return runtime.exists() and runtime.get_instance().is_active_session(session_id)


def _browser_connected() -> bool:
    """Whether this session's browser is still connected (True outside a server, e.g. AppTest)."""
    return _session_connected(_session_id())


class TrainingJob:
    """One training in a background thread: a plain object that the thread writes, pages read.

    ``status`` goes ``"queued"`` → ``"running"`` → ``"done"`` (``model`` is set), ``"stopped"``
    or ``"failed"`` (``error`` for a user's error, ``error_ref`` for a bug of ours). Each field
    is replaced whole, never changed in place, so a page reading it mid-run sees a consistent
    value; ``finished`` turns True only after the last field is written.

    Parameters
    ----------
    loaded : dashboard.data.LoadedTable
        The table to train on (kept, so the model's origin is the table it was started on).
    config : dashboard.training.TrainingConfig
    table_profile : dashboard.profile.TableProfile or None
        The table's profile (made when the table was loaded; not made again).
    session_id : str or None
        The session whose browser must stay connected (None: no server, never stops for that).
    gate : dashboard.concurrency.TrainingGate
        Where the job waits its turn.
    """

    def __init__(self, loaded, config, *, table_profile, session_id, gate: TrainingGate):
        self.loaded = loaded
        self.source: dict = {}  # where ``loaded`` came from (set by start_training)
        self.config = config
        self.status = "queued"
        self.ahead = 0
        self.progress = None  # dashboard.training.Progress of the last fit
        self.model = None
        self.charts = None  # dashboard.charts.ChartData, prepared once the model is there
        self.first_figures: dict = {}  # Evaluate's first-visit figures (ui.memo)
        self.error: SoftmaxLabError | None = None
        self.error_ref: str | None = None
        self.started = time.monotonic()
        self.ended: float | None = None
        self._profile = table_profile
        self._session_id = session_id
        self._gate = gate
        self._memory = state.memory_budget()  # server-wide, beside the gate
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="softmax-lab-training", daemon=True)

    # ----------------------------------------------------------------- read by the pages

    @property
    def finished(self) -> bool:
        """Whether the job has ended (done, stopped or failed) and written everything."""
        return self._done.is_set()

    @property
    def stopping(self) -> bool:
        """Whether Stop was asked for."""
        return self._stop.is_set()

    @property
    def fraction(self) -> float:
        """Share of the fits done, between 0 and 1."""
        p = self.progress
        return 0.0 if p is None else min(p.done / max(p.total, 1), 1.0)

    def summary(self) -> str:
        """A short line for the sidebar: "Training: fit 12 of 30"."""
        p = self.progress
        if self.stopping and not self.finished:
            return "Training: stopping…"
        if self.status == "queued":
            return f"Training: queued, {self.ahead} ahead" if self.ahead else "Training: starting…"
        if p is None:
            return "Training: preparing the data…"
        return f"Training: fit {p.done} of {p.total}"

    def detail(self) -> str:
        """A full line for the Train page: fit, C and fold, time spent and left."""
        p = self.progress
        if self.stopping:
            return "Stopping…"
        if self.status == "queued":
            if self.ahead:
                return f"Queued, {self.ahead} ahead of you. Training starts by itself."
            return "Starting…"
        if p is None:
            return "Preparing the data…"
        where = ""
        if p.C is not None:
            where = f": C = {p.C:g}" + (f", fold {p.fold + 1}" if p.fold is not None else "")
        return (
            f"Fit {p.done} of {p.total}{where}. {_fmt_seconds(p.elapsed)} elapsed, "
            f"about {_fmt_seconds(p.remaining)} left."
        )

    def elapsed(self) -> float:
        """Seconds since the job was started (until it ended)."""
        return (self.ended or time.monotonic()) - self.started

    # ----------------------------------------------------------------- control

    def start(self) -> TrainingJob:
        """Start the thread; returns the job."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the job to stop; it ends within one fit's time."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for the job to end; return whether it has."""
        return self._done.wait(timeout)

    # ----------------------------------------------------------------- the thread (no st.*)

    def _should_stop(self) -> bool:
        # A closed tab leaves its session alive for a while: stop its training and free the slot.
        return self._stop.is_set() or not _session_connected(self._session_id)

    def _on_wait(self, ahead: int) -> None:
        from dashboard.training import TrainingStopped

        if self._should_stop():
            raise TrainingStopped("stopped while queued")
        self.ahead = ahead

    def _columns_bytes(self) -> int:
        """What the columns this training reads take in memory (the budget's estimate)."""
        table = self.loaded.table
        names = [c for c in (*self.config.features, self.config.target) if c in table.columns]
        return int(sum(table[name].memory_usage(deep=True, index=False) for name in names))

    def _on_progress(self, progress) -> None:
        self.progress = progress

    def _run(self) -> None:
        from dashboard import training

        try:
            with self._gate.slot(on_wait=self._on_wait):
                if self._should_stop():
                    raise training.TrainingStopped("stopped before it started")
                with self._memory.reserve(
                    training_estimate(self._columns_bytes()),
                    timeout=LIMITS.max_training_seconds,
                    what="this training",
                    on_wait=self._on_wait,
                ):
                    self.status = "running"
                    model = training.train(
                        self.loaded.table,
                        self.config,
                        on_progress=self._on_progress,
                        should_stop=self._should_stop,
                        data_sha256=self.loaded.sha256,
                        data_name=self.loaded.name,
                        table_profile=self._profile,
                        infinite_values=dict(self.loaded.report.infinite_values),
                    )
            self.charts = _prepared_charts(model)
            self.first_figures = _first_view_figures(model, self.charts)
            self.model = model
            self.status = "done"
        except training.TrainingStopped:
            self.status = "stopped"
        except SoftmaxLabError as err:
            self.error = err
            self.status = "failed"
        except Exception as err:  # noqa: BLE001 - a bug of ours: logged, shown as an apology
            self.error_ref = log_unexpected(err)
            self.status = "failed"
        finally:
            self.ended = time.monotonic()
            self._done.set()


def _prepared_charts(model):
    """The Evaluate page's curves and calibration, computed in the job (None if that fails)."""
    from dashboard.charts import ChartData

    try:
        return ChartData(model).prepare()
    except Exception as err:  # noqa: BLE001 - the page computes them again on first view
        log_unexpected(err)
        return None


def _first_view_figures(model, charts) -> dict:
    """Evaluate's figures as its first visit draws them, built in the job (empty if that fails:
    the page builds them)."""
    if charts is None:
        return {}
    try:
        return memo.first_view_figures(model, charts)
    except Exception as err:  # noqa: BLE001 - the page draws them again on first view
        log_unexpected(err)
        return {}


# --------------------------------------------------------------------------- the session's job


def current_job() -> TrainingJob | None:
    """This session's training job, running or ended but not yet taken in."""
    return st.session_state.get(JOB)


def training_running() -> bool:
    """Whether a training of this session is running (or queued)."""
    return state.training_in_progress()


def start_training(loaded, config) -> TrainingJob:
    """Start training ``config`` on ``loaded`` in the background (one job per session)."""
    job = current_job()
    if job is not None and not job.finished:
        return job  # the Train button is disabled meanwhile; a double click changes nothing
    st.session_state.pop(TRAIN_NOTICE, None)
    job = TrainingJob(
        loaded,
        config,
        table_profile=state.profile(),
        session_id=_session_id(),
        gate=training_gate(),
    )
    job.source = dict(state.source())  # another table may be loaded before the model arrives
    st.session_state[JOB] = job
    return job.start()


def collect_finished() -> bool:
    """Take in an ended job: keep its model, or note why there is none. True if one ended."""
    job = current_job()
    if job is None or not job.finished:
        return False
    st.session_state.pop(JOB, None)
    if job.model is not None:
        state.remember_model(job.model, job.loaded, origin_source=job.source)
        if job.charts is not None:
            memo.keep_chart_data(job.model, job.charts, figures=job.first_figures)
        st.session_state[SIDEBAR_NOTICE] = ("trained", f"Model trained in {job.elapsed():.0f} s.")
    elif job.status == "stopped":
        st.session_state[TRAIN_NOTICE] = ("stopped", STOPPED)
    else:
        st.session_state[TRAIN_NOTICE] = ("failed", job.error or job.error_ref)
        st.session_state[SIDEBAR_NOTICE] = ("failed", "Training failed: see the Train page.")
    return True


def stop_training() -> None:
    """Stop this session's training (the Train page's Stop); the previous model stays."""
    job = current_job()
    if job is None:
        return
    job.stop()
    if job.wait(STOP_WAIT_SECONDS) and collect_finished():
        st.rerun()  # the sidebar, drawn before Stop was handled, still shows the progress


def show_outcome() -> None:
    """On Train: how the last training ended, if it did not end with a model (once)."""
    notice = st.session_state.pop(TRAIN_NOTICE, None)
    if notice is None:
        return
    kind, what = notice
    if kind == "stopped":
        st.info(what)
    elif isinstance(what, SoftmaxLabError):
        show_error(what)
    else:
        show_apology(str(what))


def watch_on_train() -> None:
    """On Train: follow a running job with a progress bar; when it ends, redraw the page.

    Leaving the page interrupts this loop (each update is a point where Streamlit may stop
    the script), never the job: it goes on in its thread and the sidebar follows it.
    """
    job = current_job()
    if job is None:
        return
    bar = st.progress(job.fraction, text=job.detail())
    clock = st.empty()
    while not job.wait(0.25):
        bar.progress(job.fraction, text=job.detail())
        clock.caption(f"Elapsed {job.elapsed():.0f} s. You may open other pages meanwhile.")
    if collect_finished():
        st.rerun()


# --------------------------------------------------------------------------- the sidebar


def sidebar_progress() -> None:
    """In the sidebar: a small progress bar while a training runs (polled), then the new model.

    When the job ends, the model is taken in and the whole page redraws, wherever the user is.
    """
    collect_finished()  # a job that ended between two runs
    if training_running():
        st.fragment(run_every=POLL_SECONDS)(_sidebar_progress)()


def _sidebar_progress() -> None:
    guarded(_sidebar_progress_body)


def _sidebar_progress_body() -> None:
    job = current_job()
    if job is None:  # taken in by the page (Stop); the next full run drops this fragment
        return
    if job.finished:
        collect_finished()
        st.rerun()
    st.progress(job.fraction, text=job.summary())


def sidebar_notice() -> None:
    """In the sidebar: "Model trained" once after a job ended with a model, or its failure."""
    notice = st.session_state.pop(SIDEBAR_NOTICE, None)
    if notice is None:
        return
    kind, text = notice
    if kind == "trained":
        st.success(text, icon=":material/check_circle:")
    else:
        st.error(text, icon=":material/error:")


# --------------------------------------------------------------------------- what-ifs


def compute_weight_comparison(model) -> None:
    """Run the class-weight what-if for this model (training work, so behind a button)."""
    from dashboard import evaluation, training

    loaded = state.table()
    if loaded is None or loaded.sha256 != model.origin.sha256:
        raise SoftmaxLabError(
            "The data this model was trained on is no longer loaded",
            hint="Load it again on the Data page, or train on the current data.",
        )
    with st.spinner("Training the same folds with both class weightings…"):
        y_true, none, balanced = training.class_weight_what_if(
            loaded.table, model, table_profile=state.profile()
        )
    memo.set_weight_comparison(
        model, evaluation.compare_class_weights(y_true, none, balanced, list(model.classes))
    )
