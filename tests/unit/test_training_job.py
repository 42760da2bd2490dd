"""The background training job, without a server: it trains, stops, and frees its gate slot.

The job's thread never calls Streamlit; these tests drive it as the pages do (start, read,
stop, wait) and watch the gate from outside. No wall-clock assertion: waits have timeouts.
"""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.concurrency import TrainingGate
from dashboard.data import table_from_frame
from dashboard.samples import load_sample
from dashboard.training import TrainingConfig
from dashboard.ui import training_run
from dashboard.ui.training_run import TrainingJob

WAIT = 120  # seconds: a ceiling for a stuck thread, not a measurement


def iris():
    return table_from_frame(load_sample("iris"), name="Iris flowers")


def long_config(loaded) -> TrainingConfig:
    features = [c for c in loaded.table.columns if c != "species"]
    grid = tuple(float(c) for c in np.logspace(-4, 4, 30))
    return TrainingConfig(target="species", features=features, c_grid=grid, cv_folds=5)


def job_on(gate, *, config=None, session_id=None) -> TrainingJob:
    loaded = iris()
    config = config or TrainingConfig(
        target="species", features=["petal length (cm)"], c_grid=(0.1, 1.0), cv_folds=3
    )
    return TrainingJob(loaded, config, table_profile=None, session_id=session_id, gate=gate)


def slot_is_free(gate: TrainingGate) -> bool:
    ticket = gate.join()
    try:
        return gate.wait(ticket, timeout=0)
    finally:
        gate.leave(ticket)


def test_a_job_trains_and_keeps_the_model_its_charts_and_its_origin():
    gate = TrainingGate(capacity=1)
    job = job_on(gate).start()
    assert job.wait(WAIT)
    assert job.status == "done" and job.finished
    assert job.model.origin.name == "Iris flowers"
    assert job.model.origin.sha256 == job.loaded.sha256
    assert job.charts is not None and job.charts.model is job.model
    assert job.progress.done == job.progress.total == 2 * (3 + 1) + 1
    assert job.summary() == f"Training: fit {job.progress.total} of {job.progress.total}"
    assert slot_is_free(gate)


def test_stop_ends_a_long_job_and_frees_the_slot():
    gate = TrainingGate(capacity=1)
    loaded = iris()
    job = TrainingJob(
        loaded, long_config(loaded), table_profile=None, session_id=None, gate=gate
    ).start()
    seen = []
    while not job.finished and not seen:  # wait for the first fit, then stop
        job.wait(0.05)
        if job.progress is not None:
            seen.append(job.progress.done)
    job.stop()
    assert job.wait(WAIT)
    if job.status == "done":  # the machine outran us: nothing to stop any more
        pytest.skip("the training ended before Stop")
    assert job.status == "stopped" and job.model is None
    assert slot_is_free(gate)


def test_a_closed_tab_stops_the_job_and_frees_the_slot(monkeypatch):
    connected = {"tab-1": True}
    monkeypatch.setattr(training_run, "_session_connected", lambda sid: connected.get(sid, True))
    gate = TrainingGate(capacity=1)
    loaded = iris()
    job = TrainingJob(
        loaded, long_config(loaded), table_profile=None, session_id="tab-1", gate=gate
    ).start()
    while not job.finished and job.progress is None:
        job.wait(0.05)
    connected["tab-1"] = False  # the browser went away
    assert job.wait(WAIT)
    if job.status == "done":
        pytest.skip("the training ended before the tab closed")
    assert job.status == "stopped"
    assert slot_is_free(gate)


def test_a_queued_job_whose_tab_closes_leaves_the_queue(monkeypatch):
    connected = {"queued": True}
    monkeypatch.setattr(training_run, "_session_connected", lambda sid: connected.get(sid, True))
    gate = TrainingGate(capacity=1)
    holder = gate.join()
    assert gate.wait(holder, timeout=0)  # someone else trains
    job = job_on(gate, session_id="queued").start()
    assert not job.wait(0.6)  # the gate polls every 0.5 s: the job is queued meanwhile
    assert job.status == "queued" and job.summary() == "Training: starting…"
    connected["queued"] = False
    assert job.wait(WAIT)
    assert job.status == "stopped"
    gate.leave(holder)
    assert slot_is_free(gate)


def test_a_user_error_is_kept_for_the_page():
    gate = TrainingGate(capacity=1)
    config = TrainingConfig(target="no such column", features=["petal length (cm)"])
    job = job_on(gate, config=config).start()
    assert job.wait(WAIT)
    assert job.status == "failed" and job.model is None
    assert "no such column" in str(job.error)
    assert slot_is_free(gate)
