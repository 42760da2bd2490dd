"""The fast load test: 5 sessions train at once on a real server that runs one training at a time."""

from __future__ import annotations

import pytest

from bench.load import format_table, run

pytestmark = pytest.mark.e2e


def test_five_sessions_all_train_and_queued_ones_finish():
    # One training at a time, so four sessions queue; each must still end with a trained model.
    figures = run(5, capacity=1, timeout=300, settle=1.0)
    print(format_table(figures))
    assert figures["succeeded"] == 5, "\n".join(figures["errors"]) + figures["server_log_tail"]
    # The last in line waits for four trainings (about 0.4 s each here), well over the gate's
    # 0.5 s poll, so it is shown "Queued, n ahead of you" before it starts.
    assert figures["queued"] >= 1
