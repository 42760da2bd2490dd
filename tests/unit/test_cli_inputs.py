"""Every wrong command-line input is the user's error (issue 17): exit 2 with one message, never the apology.

Most cases run through ``cli.main`` in this process; the device file runs in a subprocess
with its peak memory measured, since before the fix ``profile /dev/zero`` read until
memory ran out.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess

import numpy as np
import pandas as pd
import pytest

from dashboard import cli
from tests.hostile_models import run_measured

GB = 1024**3


def run_in_process(*args) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([str(a) for a in args], out=out, err=err)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def assert_user_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ")
    for fragment in fragments:
        assert fragment in line, line


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=90),
            "b": rng.normal(size=90),
            "y": np.repeat(["p", "q", "r"], 30),
        }
    )
    path = tmp_path_factory.mktemp("cli") / "small.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--seed", "-1"], ("seed must be between 0 and 4294967295", "got -1")),
        (["--seed", "99999999999999"], ("seed must be between 0 and 4294967295",)),
        (["--seed", str(2**32)], ("seed must be between 0 and 4294967295",)),
        (["--seed", "1.5"], ("--seed", "invalid int value")),
        (["--cv", "1"], ("at least 2 folds",)),
        (["--cv", "99999999999999999999"], ("at most 20 folds",)),
        (["--test-size", "0"], ("held-out share must be between 0 and 1",)),
        (["--test-size", "1"], ("held-out share must be between 0 and 1",)),
        (["--test-size", "nan"], ("held-out share must be between 0 and 1",)),
        (["--test-size=-inf"], ("held-out share must be between 0 and 1",)),
        (["--max-iter", "0"], ("Maximum iterations must be between 1 and 100000",)),
        (["--max-iter", "1000000"], ("Maximum iterations must be between 1 and 100000",)),
        (["--n-jobs", "0"], ("Parallel jobs must be a positive whole number",)),
        (["--n-jobs", "-3"], ("Parallel jobs must be a positive whole number",)),
        (["--C", "0.1,-1"], ("C must be greater than 0",)),
        (["--C", "0.1,inf"], ("not a finite number",)),
        (["--C", "1e300"], ("outside the sensible range",)),
        (["--C", ",,"], ("No value of C",)),
        (["--class-weight", "heavy"], ("--class-weight", "invalid choice")),
        (["--features", ",,"], ("No feature column",)),
        (["--features", "a,nope"], ("No column named 'nope'",)),
    ],
)
def test_every_bad_train_option_is_a_user_error(small_csv, options, fragments):
    assert_user_error(run_in_process("train", small_csv, "--target", "y", *options), *fragments)


def test_the_largest_seed_trains(small_csv):
    # The same bound scikit-learn's random_state has: 2**32 - 1 is accepted.
    done = run_in_process("train", small_csv, "--target", "y", "--seed", str(2**32 - 1), "--C", "1")
    assert done.returncode == 0, done.stderr


def test_an_invalid_parameter_scikit_learn_raises_is_an_option_error(small_csv, monkeypatch):
    # Our checks are the first line; should one miss a value, scikit-learn's refusal still
    # reaches the user as an error in their options, not as the bug apology.
    from sklearn.utils._param_validation import InvalidParameterError

    import dashboard.training

    def refuse(*args, **kwargs):
        raise InvalidParameterError("The 'random_state' parameter must be in range.")

    monkeypatch.setattr(dashboard.training, "train", refuse)
    assert_user_error(
        run_in_process("train", small_csv, "--target", "y"),
        "A setting is not valid: The 'random_state' parameter must be in range",
    )


def test_other_unexpected_errors_stay_the_apology(small_csv, monkeypatch):
    import dashboard.training

    def crash(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(dashboard.training, "train", crash)
    done = run_in_process("train", small_csv, "--target", "y")
    assert done.returncode == 1
    assert "Sorry" in done.stderr


def test_a_pipe_is_refused_by_what_it_is_without_blocking(tmp_path):
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    # Opening a pipe for reading would wait for a writer forever; it is refused from stat.
    assert_user_error(run_in_process("profile", fifo), "This is a pipe, not a CSV file")


def test_a_socket_is_refused_by_what_it_is(tmp_path):
    path = tmp_path / "s.csv"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert_user_error(run_in_process("profile", path), "This is a socket, not a CSV file")


def test_a_folder_is_refused(tmp_path):
    assert_user_error(run_in_process("profile", tmp_path), "This is a folder, not a CSV file")


def test_a_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    assert_user_error(run_in_process("profile", link), "This is a device, not a CSV file")


def test_a_device_as_model_file_is_refused(tmp_path, small_csv):
    assert_user_error(
        run_in_process("predict", "/dev/zero", small_csv), "This is a device, not a model file"
    )


def test_profile_of_dev_zero_is_refused_at_once_in_a_fresh_process():
    run = run_measured("profile", "/dev/zero")
    assert run.code == 2, run.stderr
    assert run.stderr.startswith("error: This is a device, not a CSV file")
    assert run.peak_bytes < GB
