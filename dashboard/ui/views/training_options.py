"""The Train page's settings beyond target and features: the C grid, folds, split, seed, options."""

from __future__ import annotations

import streamlit as st

from dashboard.errors import SoftmaxLabError
from dashboard.features import text_sentence
from dashboard.training import SEED_GRID, TrainingConfig, parse_c_grid
from dashboard.ui.guards import show_error
from dashboard.ui.text import escape_markdown
from dashboard.words import plural

C_PRESETS = {
    ", ".join(f"{c:g}" for c in SEED_GRID): "six decades, 0.001 to 100",
    "0.01, 0.1, 1, 10": "four decades, 0.01 to 10: quick",
    "0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000": "nine decades, 0.0001 to 10,000: wide",
}


def _c_grid_text() -> str:
    return st.selectbox(
        "Values of C to try",
        list(C_PRESETS),
        key="c_grid",
        persist_state="session",
        accept_new_options=True,
        format_func=lambda s: f"{s}  ({C_PRESETS[s]})" if s in C_PRESETS else s,
        help="Pick a preset, or type your own list, e.g. 0.05, 0.5, 5 (1e-3 and 1_000 work too).",
    )


def _search_and_split():
    c1, c2, c3 = st.columns(3)
    folds = c1.slider(
        "Cross-validation folds",
        2,
        10,
        5,
        key="cv_folds",
        persist_state="session",
        help="The training part is cut into this many folds; each C is scored on each.",
    )
    test_size = c2.slider(
        "Held-out share",
        0.1,
        0.5,
        0.2,
        0.05,
        key="test_size",
        persist_state="session",
        help="Rows kept aside, never seen in training, to score the final model.",
    )
    seed = c3.number_input(
        "Seed",
        0,
        2**31 - 1,
        0,
        key="seed",
        persist_state="session",
        help="The same seed gives the same split and the same numbers.",
    )
    return folds, test_size, seed


def _more_options():
    with st.expander("More options"):
        a1, a2, a3 = st.columns(3)
        balanced = a1.toggle(
            "Balance class weights",
            key="class_weight",
            persist_state="session",
            help="Give rare classes as much weight in total as common ones.",
        )
        max_iter = a2.number_input(
            "Maximum solver iterations",
            50,
            10_000,
            1000,
            50,
            key="max_iter",
            persist_state="session",
        )
        n_jobs = a3.number_input(
            "Parallel jobs (0 = all cores)", 0, 64, 0, key="n_jobs", persist_state="session"
        )
        drop_small = st.toggle(
            "Leave out classes too small for the split and folds (off: stop and name them)",
            value=True,
            key="small_classes",
            persist_state="session",
            help="On: the model is trained on the other classes, and a note says which "
            "classes were left out and how many rows they had.",
        )
    return balanced, max_iter, n_jobs, drop_small


def _free_text(text_columns: list[str]) -> list[str]:
    """One click to add the free-text columns that are not among the default features."""
    if not text_columns:
        return []
    names = ", ".join(f"'{name}'" for name in text_columns)
    use = st.toggle(
        escape_markdown(f"Also use the free text of {names}"),
        key="use_text",
        persist_state="session",
        help=f"Each free-text column becomes {text_sentence()}. Training takes longer; "
        "explain-a-row then shows the words that pushed each class.",
    )
    return list(text_columns) if use else []


def training_config(
    target: str, features: list[str], *, text_columns: list[str] | tuple[str, ...] = ()
) -> TrainingConfig:
    """The settings widgets; the config they make for ``target`` and ``features``.

    ``text_columns`` are free-text columns offered with one toggle (those not among the
    default features); when it is on they join ``features``. Stops the page with a hint when
    no feature is chosen or the C grid cannot be read.
    """
    features = [*features, *(c for c in _free_text(list(text_columns)) if c not in features)]
    c_text = _c_grid_text()
    folds, test_size, seed = _search_and_split()
    balanced, max_iter, n_jobs, drop_small = _more_options()
    if not features:
        st.info("Choose at least one feature to train.")
        st.stop()
    try:
        c_grid = parse_c_grid(c_text or "")
    except SoftmaxLabError as err:
        show_error(err)
        st.stop()
    config = TrainingConfig(
        target=target,
        features=tuple(features),
        c_grid=c_grid,
        cv_folds=int(folds),
        test_size=float(test_size),
        seed=int(seed),
        class_weight="balanced" if balanced else None,
        max_iter=int(max_iter),
        n_jobs=None if n_jobs == 0 else int(n_jobs),
        small_classes="drop" if drop_small else "refuse",
    )
    st.caption(
        f"{plural(len(c_grid), 'value')} of C × {folds} folds = {len(c_grid) * folds} fits, "
        "then one final fit at the best C."
    )
    return config
