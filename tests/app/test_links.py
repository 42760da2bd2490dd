"""Shareable links: the query string read into a setup (bad values ignored with a note), restored
in a fresh session, and written back when a choice changes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.samples import SAMPLES
from dashboard.ui.urls import Setup, link_text, parse_setup, setup_params

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 120


def _parse(params: dict) -> tuple[Setup, list[str]]:
    return parse_setup(params, samples=list(SAMPLES))


def test_a_full_link_is_read_whole():
    setup, notes = _parse(
        {
            "page": "evaluate",
            "sample": "wine",
            "target": "cultivar",
            "features": ["alcohol", "hue", "alcohol"],
            "c": "10,0.1,1e-2",
            "folds": "3",
            "test": "0.3",
            "seed": "42",
            "weights": "balanced",
        }
    )
    assert notes == []
    assert setup == Setup(
        page="evaluate",
        sample="wine",
        target="cultivar",
        features=("alcohol", "hue"),
        c_grid="0.01, 0.1, 10",
        folds=3,
        test_size=0.3,
        seed=42,
        balanced=True,
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sample": "../../etc/passwd"}, "sample"),
        ({"page": "admin"}, "page"),
        ({"folds": "1"}, "folds"),
        ({"folds": "11"}, "folds"),
        ({"folds": "3.5"}, "folds"),
        ({"test": "0.9"}, "test_size"),
        ({"test": "nan"}, "test_size"),
        ({"test": "inf"}, "test_size"),
        ({"seed": "-1"}, "seed"),
        ({"seed": "9" * 40}, "seed"),
        ({"c": "0,1"}, "c_grid"),
        ({"c": "abc"}, "c_grid"),
        ({"c": "1," * 500}, "c_grid"),
        ({"weights": "heavy"}, "balanced"),
        ({"target": ""}, "target"),
        ({"file": "x" * 500}, "file"),
    ],
)
def test_a_bad_value_is_ignored_with_a_note(params, field):
    setup, notes = _parse(params)
    assert getattr(setup, field) is None
    assert len(notes) == 1 and "ignored" in notes[0]


def test_repeated_values_take_the_last_and_unknown_parameters_are_ignored():
    setup, notes = _parse({"folds": ["3", "4"], "utm_source": "mail", "embed": "true"})
    assert (setup.folds, notes) == (4, [])
    assert setup == Setup(folds=4)


def test_a_held_out_share_snaps_to_the_slider_step():
    assert _parse({"test": "0.33"})[0].test_size == 0.35
    assert _parse({"test": "0.1"})[0].test_size == 0.1


def test_params_and_parsing_round_trip():
    setup = Setup(
        page="predict",
        file="my data, v2.csv",
        target="the class",
        features=("a,b", "c d"),
        c_grid="0.1, 1",
        folds=4,
        test_size=0.25,
        seed=7,
        balanced=False,
    )
    params = setup_params(setup)
    assert _parse(params) == (setup, [])
    text = link_text("http://h/", params)
    assert text.startswith(
        "http://h/?page=predict&file=my+data%2C+v2.csv&target=the+class&features=a"
    )


# --------------------------------------------------------------------------- in the app


def test_a_link_restores_a_samples_setup_in_a_fresh_session():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(
        {
            "page": "train",
            "sample": "wine",
            "target": "cultivar",
            "c": "0.01,0.1,1,10",
            "folds": "3",
            "seed": "x",
        }
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["source"]["key"] == "wine"
    assert [t.value for t in at.title] == ["Train"]  # the link's page
    assert at.selectbox(key="target").value == "cultivar"
    assert at.selectbox(key="c_grid").value == "0.01, 0.1, 1, 10"
    assert at.slider(key="cv_folds").value == 3
    assert at.number_input(key="seed").value == 0  # the bad seed left the default


def test_a_link_to_a_file_asks_for_it_and_keeps_the_link():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"file": "grades.csv", "target": "passed", "folds": "4"})
    at.run()
    assert not at.exception
    assert any("grades\\.csv" in str(i.value) for i in at.info)
    assert at.query_params["file"] == "grades.csv" and at.query_params["folds"] == "4"
    raw = b"hours,passed\n" + b"".join(
        f"{i},{'yes' if i > 5 else 'no'}\n".encode() for i in range(40)
    )
    at.file_uploader(key="upload").set_value(("grades.csv", raw, "text/csv")).run()
    assert not any("grades\\.csv" in str(i.value) for i in at.info)
    at.switch_page("app_pages/train.py").run()
    assert at.selectbox(key="target").value == "passed"
    assert at.slider(key="cv_folds").value == 4


def test_a_link_to_a_file_gives_way_when_another_file_is_loaded():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"file": "grades.csv", "target": "passed", "folds": "4"})
    at.run()
    assert any("grades\\.csv" in str(i.value) for i in at.info)
    raw = b"hours,passed\n" + b"".join(f"{i},{i % 2}\n".encode() for i in range(40))
    at.file_uploader(key="upload").set_value(("other.csv", raw, "text/csv")).run()
    assert not at.exception
    assert not any("grades\\.csv" in str(i.value) for i in at.info)
    assert "link_setup" not in at.session_state


def test_the_url_follows_the_sessions_choices():
    # AppTest runs app.py (where the URL is written) on a session's first run only; a real
    # browser's every run is in tests/e2e/test_links.py.
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert at.query_params == {"sample": "iris"}
    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT)
    fresh.session_state["target"] = "species"
    fresh.session_state["cv_folds"] = 7
    fresh.session_state["features"] = ["petal length (cm)"]
    fresh.run()
    assert fresh.query_params["target"] == "species"
    assert fresh.query_params["folds"] == "7"
    assert fresh.query_params["features"] == "petal length (cm)"
    (shown,) = [c.value for c in fresh.get("code")]  # the "Copy link" box: no address in AppTest
    assert shown.startswith("?")
    assert parse_qs(shown[1:]) == {k: [v] for k, v in fresh.query_params.items()}
