"""What the held-out numbers are worth and what the checks found, on Train and Evaluate.

Every held-out metric beside the trivial model's, the accuracy's 95 % interval, weighted
averages beside the macro ones; the checks' warnings with their one-click fixes (leave a
leaking feature out, extend the grid of C); the one-standard-error C, adopted with one click.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.errors import SoftmaxLabError
from dashboard.evaluation import WEIGHTED_VS_MACRO
from dashboard.ui import memo, state
from dashboard.ui.guards import show_error
from dashboard.ui.text import escape_markdown
from dashboard.words import number_text

_NAMES = {
    "accuracy": "Accuracy",
    "precision_macro": "Precision (macro)",
    "recall_macro": "Recall (macro)",
    "f1_macro": "F1 (macro)",
    "log_loss": "Log-loss",
    "precision_weighted": "Precision (weighted)",
    "recall_weighted": "Recall (weighted)",
    "f1_weighted": "F1 (weighted)",
}
_HELP = {
    "accuracy": "Share of held-out rows predicted right.",
    "precision_macro": "For each class: of the rows predicted as it, the share that were. "
    "Averaged over the classes, each counting the same.",
    "recall_macro": "For each class: of the rows that were it, the share found. Averaged over "
    "the classes, each counting the same.",
    "f1_macro": "The harmonic mean of precision and recall, per class, averaged.",
    "log_loss": "The mean cross-entropy between the true class and the predicted "
    "probabilities: lower is better; 0 is perfect.",
    "precision_weighted": "Per-class precision weighed by each class's held-out rows (as in "
    "scikit-learn's classification report).",
    "recall_weighted": "Per-class recall weighed by each class's held-out rows; equal to the "
    "accuracy.",
    "f1_weighted": "Per-class F1 weighed by each class's held-out rows.",
}
_AVERAGES = ("precision", "recall", "f1")


def accuracy_words(evaluation) -> str:
    """``0.660, against 0.499 for always guessing 'United States'``, escaped for markdown."""
    if evaluation.baseline is None:
        return number_text(evaluation.accuracy)
    return escape_markdown(evaluation.baseline.compare("accuracy", evaluation.accuracy))


def interval_words(evaluation) -> str:
    """``95 % interval 0.62 to 0.70, Wilson``."""
    lo, hi = evaluation.accuracy_interval
    return f"95 % interval {number_text(lo, digits=2)} to {number_text(hi, digits=2)}, Wilson"


def averages_table(evaluation) -> pd.DataFrame:
    """Precision, recall and F1, macro and weighted, with the trivial model's beside: one row
    an average, the first column says whose."""
    rows = [
        ("this model, macro", evaluation, "macro"),
        ("this model, weighted", evaluation, "weighted"),
    ]
    if evaluation.baseline is not None:
        guess = f"always guessing '{evaluation.baseline.majority_class}'"
        rows += [(f"{guess}, macro", evaluation.baseline, "macro")]
        rows += [(f"{guess}, weighted", evaluation.baseline, "weighted")]
    return pd.DataFrame(
        [
            {"average": name}
            | {
                _NAMES[f"{m}_macro"].split(" (")[0]: getattr(source, f"{m}_{kind}")
                for m in _AVERAGES
            }
            for name, source, kind in rows
        ]
    )


def held_out_numbers(model) -> None:
    """The held-out metrics in one compact block: accuracy and log-loss, each beside the trivial
    model's, the accuracy's interval; precision, recall and F1, macro and weighted, with the
    trivial model's, in one small table (one line on the difference in an expander); and, when
    another C was adopted, the search's best C's numbers beside them."""
    ev = model.evaluation
    left, middle, right = st.columns([1, 1, 2])
    left.metric(_NAMES["accuracy"], f"{ev.accuracy:.3f}", help=_HELP["accuracy"])
    if ev.baseline is not None:
        left.caption(accuracy_words(ev))
    left.caption(f"{interval_words(ev)}, from {model.n_test:,} held-out rows")
    middle.metric(_NAMES["log_loss"], f"{ev.log_loss:.3f}", help=_HELP["log_loss"])
    if ev.baseline is not None:
        middle.caption(escape_markdown(ev.baseline.compare("log_loss", ev.log_loss)))
    table = averages_table(ev)
    right.dataframe(
        table,
        hide_index=True,
        column_config={"average": st.column_config.TextColumn("average", width="medium")}
        | {
            column: st.column_config.NumberColumn(
                column, format="%.3f", help=f"{_HELP[m + '_macro']} {_HELP[m + '_weighted']}"
            )
            for m, column in zip(_AVERAGES, table.columns[1:], strict=True)
        },
    )
    with right.expander("Macro or weighted?"):
        st.caption(WEIGHTED_VS_MACRO)
    if model.adopted_from is not None:
        _adopted_comparison(model)


def _adopted_comparison(model) -> None:
    """The adopted C's held-out numbers beside the search's best C's, and the way back."""
    before = model.adopted_from
    ev, old = model.evaluation, before.evaluation
    st.info(
        f"In use: the model refitted at C = {model.best_C:g} on the same training part (no new "
        f"search). The search's best was C = {before.best_C:g}; its numbers are beside.",
        icon=":material/swap_horiz:",
    )
    rows = []
    for key, name in _NAMES.items():
        row = {
            "metric": name,
            f"C = {model.best_C:g} (in use)": getattr(ev, key),
            f"C = {before.best_C:g} (search's best)": getattr(old, key),
        }
        if ev.baseline is not None:
            row[f"always guessing '{ev.baseline.majority_class}'"] = getattr(ev.baseline, key)
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    reason = state.stale_model_message(model)
    if st.button(
        f"Go back to the search's best C ({before.best_C:g})",
        key="honesty_back_to_best",
        disabled=reason is not None,
        help=reason,
    ):
        state.remember_model(before, state.table())
        st.rerun()


# --------------------------------------------------------------------------- the warnings


def has_doubts(model) -> bool:
    """Whether the checks doubt the held-out score itself: a leak, or copied rows (a small
    held-out part makes it uncertain, which its interval says, not wrong)."""
    return any(w.kind in ("leak", "duplicates") for w in model.warnings)


def _request(model, *, features=None, c_grid=None) -> state.TrainRequest:
    config = model.config
    return state.TrainRequest(
        target=config.target,
        features=tuple(config.features if features is None else features),
        c_grid=tuple(config.c_grid if c_grid is None else c_grid),
    )


def warnings_section(model, *, on_train: bool = False, kinds=None, but=()) -> None:
    """Each warning of the checks in plain words, with its one-click fix where there is one.

    A leak: "Leave 'col' out and train again". A best C at the grid's edge: "Extend the grid to
    1000". Both leave a :class:`state.TrainRequest` for the Train page (on Train, its own
    widgets take it at once), which trains again. ``kinds`` (all when None) and ``but`` choose
    which kinds of warning this place shows (Evaluate says the grid's edge under Choosing C).
    """
    if not any((kinds is None or w.kind in kinds) and w.kind not in but for w in model.warnings):
        return
    stale = state.stale_model_message(model)
    help_text = stale or "Sets the Train page's choice and trains again."
    for i, warning in enumerate(model.warnings):  # i: the key stays the same in any place
        if (kinds is not None and warning.kind not in kinds) or warning.kind in but:
            continue
        request = None
        if warning.kind == "leak" and len(model.config.features) > 1:
            label = f"Leave '{warning.column}' out and train again"
            kept = [f for f in model.config.features if f != warning.column]
            request = _request(model, features=kept)
        elif warning.kind == "grid_edge" and warning.extended_grid:
            added = [c for c in warning.extended_grid if c not in model.config.c_grid]
            label = "Extend the grid to " + " and ".join(f"{c:g}" for c in added)
            request = _request(model, c_grid=warning.extended_grid)
        # The message with its fix beside it (one row, so the page's results stay high); the
        # grid's edge is advice about the search, the others are about the data.
        fix_share = min(0.45, (60 + 8 * len(label)) / 900) if request else 0  # the label whole
        words, fix = (
            st.columns([1 - fix_share, fix_share], vertical_alignment="center")
            if request
            else (st, None)
        )
        show = words.info if warning.kind == "grid_edge" else words.warning
        show(escape_markdown(warning.message), icon=":material/report:")
        if request is not None and fix.button(
            escape_markdown(label),
            key=f"honesty_fix_{i}",
            disabled=stale is not None,
            help=help_text,
            icon=":material/build:",
        ):
            state.ask_train_page(request, switch=not on_train)


def apply_train_request(profile, candidates) -> bool:
    """On Train, before its widgets: take a request left by a one-click fix into Train's own
    widgets (target, features, C grid). Returns whether to train again now."""
    request = state.take_train_request()
    if request is None:
        return False
    if request.target in candidates:
        st.session_state["target"] = request.target
    target = st.session_state.get("target")
    usable = profile.default_features(target) if target in candidates else []
    st.session_state["features"] = [f for f in request.features if f in usable]
    st.session_state["c_grid"] = ", ".join(f"{c:g}" for c in request.c_grid)
    return request.retrain


# --------------------------------------------------------------------------- one standard error


def one_standard_error_choice(model) -> None:
    """The one-standard-error C with a button that adopts it (a refit at that C, no search)."""
    choice = memo.chart_data(model).one_se
    if choice.chosen_C == choice.best_C or model.best_C == choice.chosen_C:
        return
    stale = state.stale_model_message(model)
    if st.button(
        f"Use the one-standard-error C ({choice.chosen_C:g})",
        key="honesty_adopt_one_se",
        disabled=stale is not None,
        help=stale
        or "Refits the same pipeline at that C on the same training part (no new search) and "
        "shows its held-out numbers beside the best C's.",
        icon=":material/tune:",
    ):
        adopt_c(model, choice.chosen_C)


def adopt_c(model, C: float) -> None:
    """Refit ``model`` at ``C`` on its training part, make it the session's model, redraw."""
    from dashboard.training import refit_at

    loaded = state.table()
    try:
        if loaded is None:
            raise SoftmaxLabError(
                "The data this model was trained on is no longer loaded",
                hint="Load it again on the Data page, or train on the current data.",
            )
        with st.spinner(f"Refitting at C = {C:g}…"):
            adopted = refit_at(loaded.table, model, C, table_profile=state.profile())
    except SoftmaxLabError as err:
        show_error(err)
        return
    state.remember_model(adopted, loaded)
    st.rerun()
