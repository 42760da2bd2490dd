"""The C search on a Dask cluster gives the same numbers as the local run."""

from __future__ import annotations

import threading

import distributed  # noqa: E402 - a missing package is a failed install, not a skip
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from dashboard import search
from dashboard.search import SCHEDULER_ENV, search_c
from dashboard.training import SEED_GRID, TrainingConfig, TrainingStopped, train

# The scheduler's small HTTP server falls back to a free port when 8787 is taken; that is fine.
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """One BLAS thread: oversubscribed threads on a shared 2-core machine only slow things."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        host="127.0.0.1",
        protocol="tcp",  # a real network hop (in-process workers default to "inproc")
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
    ) as local:
        yield local


def _wine():
    bunch = load_wine(as_frame=True)
    frame = bunch.frame
    frame["target"] = frame["target"].map(dict(enumerate(bunch.target_names)))
    return frame, tuple(c for c in frame.columns if c != "target")


def test_train_through_the_environment_variable_matches_local(cluster, monkeypatch):
    frame, features = _wine()
    config = TrainingConfig(target="target", features=features)
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    local = train(frame, config)
    monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
    caller = threading.get_ident()
    threads = set()
    remote = train(frame, config, on_progress=lambda p: threads.add(threading.get_ident()))
    assert remote.timings["search_backend"].startswith("dask")
    assert local.timings["search_backend"] == "local threads"
    assert threads == {caller}
    pd.testing.assert_frame_equal(
        remote.cv_results.drop(columns="seconds"),
        local.cv_results.drop(columns="seconds"),
        rtol=1e-12,
    )
    assert remote.best_C == local.best_C
    np.testing.assert_allclose(remote.coef_path["coef"], local.coef_path["coef"], rtol=1e-10)
    np.testing.assert_allclose(remote.test_proba, local.test_proba, rtol=1e-12)


def test_warm_started_chains_match_local(cluster):
    X, y = make_classification(n_samples=1500, n_features=8, n_informative=6, n_classes=3)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    kw = {"c_grid": SEED_GRID, "folds": folds, "warm_start": True}
    local = search_c(pipe, X, y, scheduler="", **kw)
    remote = search_c(pipe, X, y, scheduler=cluster.scheduler_address, **kw)
    np.testing.assert_allclose(
        remote.cv_summary["mean_accuracy"], local.cv_summary["mean_accuracy"], rtol=1e-12
    )
    np.testing.assert_allclose(remote.coef_path["coef"], local.coef_path["coef"], rtol=1e-10)


def test_stop_cancels_the_cluster_work(cluster):
    frame, features = _wine()
    with pytest.raises(TrainingStopped):
        train(
            frame,
            TrainingConfig(target="target", features=features),
            scheduler=cluster.scheduler_address,
            should_stop=lambda: True,
        )


def test_worker_processes_give_the_same_numbers(monkeypatch):
    """Workers in other processes: the work is pickled there and back, as on a real cluster."""
    frame, features = _wine()
    config = TrainingConfig(target="target", features=features, c_grid=(0.01, 1.0), cv_folds=3)
    local = train(frame, config, scheduler="")
    with distributed.LocalCluster(
        host="127.0.0.1",
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    ) as remote_cluster:
        monkeypatch.setenv(SCHEDULER_ENV, remote_cluster.scheduler_address)
        remote = train(frame, config)
    assert remote.timings["search_workers"] == 2
    np.testing.assert_allclose(
        remote.cv_results["accuracy"], local.cv_results["accuracy"], rtol=1e-12
    )
    np.testing.assert_allclose(
        remote.cv_results["log_loss"], local.cv_results["log_loss"], rtol=1e-12
    )
    assert remote.best_C == local.best_C


def test_an_unreachable_cluster_falls_back_to_this_machine_with_a_note(monkeypatch):
    monkeypatch.setattr(search, "DASK_CONNECT_SECONDS", 1)
    frame, features = _wine()
    config = TrainingConfig(target="target", features=features, c_grid=(1.0,), cv_folds=2)
    model = train(frame, config, scheduler="tcp://127.0.0.1:9")
    assert model.timings["search_backend"] == "local threads"
    assert "could not be reached" in model.notes[0]
