"""The Explore page's sections: the decision map with a live reference row, C in motion,
decisions with costs, and the information view of the held-out rows.

Everything is read from the trained-model record (its pipeline, held-out rows and fits along
C): nothing is trained here. Each section is a fragment, so a widget redraws its own section.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import evaluation, explore, figures, information
from dashboard.charts import CHARTS
from dashboard.ui import memo, state
from dashboard.ui.display import info_unit, plotly_chart, temperature_slider, unit_choice
from dashboard.ui.guards import fragment, guarded
from dashboard.ui.text import escape_markdown
from dashboard.words import number_text

# This page's own widget keys.
X_KEY, Y_KEY, SHADE_KEY, ROW_KEY = "explore_x", "explore_y", "explore_shade", "explore_row"
MORE_KEY = "explore_more_features"
LOGIT_CLASS_KEY, TEMPERATURE_KEY = "explore_logit_class", "explore_temperature"
C_KEY, COSTS_KEY = "explore_c", "explore_costs"
LEGEND_KEY, UNIT_KEY = "explore_legend_classes", "explore_unit"
# Plain keys.
_ROW_PENDING = "explore_row_pending"  # a row picked by a click, for the row input's next run
_CLICK_SEEN = "explore_click_seen"  # the last click taken, so that a rerun does not re-apply it
_PLAYING = "explore_playing"  # C in motion is playing
_COSTS_START = "explore_costs_start"  # (model id, the cost table the editor starts from)
_LAST_BUILT = "explore_last_built"  # slot -> (key, what was built): the last map, figures

RESOLUTION = 60  # grid steps along a numeric axis of the map
SHOWN_INPUTS = 4  # inputs shown besides x and y before the user picks more
PLAY_SECONDS = 1.2  # one step of C in motion
INFO_POINTS = 5_000  # rows drawn on the information scatter (a fixed sample beyond)
MISSING = "(missing)"


def _features(model) -> tuple[list[str], list[str]]:
    """The model's input columns, and the same ranked by the spread of their weights."""
    numeric, categorical = memo.once(
        model, ("map_features",), lambda: explore.map_features(model.pipeline)
    )
    ranked = memo.once(
        model,
        ("feature_spread",),
        lambda: explore.feature_spread(model.pipeline)["feature"].tolist(),
    )
    return [*numeric, *categorical], ranked


def _observed(model) -> explore.ObservedValues:
    """The held-out rows' ranges and categories, read once per model (not on every click)."""
    return memo.once(
        model, ("observed_values",), lambda: explore.observed_values(model.pipeline, model.X_test)
    )


def _axes(features: list[str], ranked: list[str]) -> tuple[str, str]:
    """The x and y the user chose (the two features with the largest spread by default)."""
    x = st.session_state.get(X_KEY)
    y = st.session_state.get(Y_KEY)
    x = x if x in features else ranked[0]
    y = y if y in features and y != x else next(f for f in ranked if f != x)
    return x, y


def reference_row_number(model) -> int:
    """The held-out row (1-based) the map and the what-if start from: row 1 unless picked."""
    n = model.n_test
    pending = st.session_state.pop(_ROW_PENDING, None)
    if pending is not None:
        st.session_state[ROW_KEY] = int(pending)
    if not 1 <= int(st.session_state.get(ROW_KEY, 1)) <= n:
        st.session_state[ROW_KEY] = 1
    return int(st.session_state.get(ROW_KEY, 1))


def pick_row(row: int) -> None:
    """Make held-out row ``row`` (1-based) the reference row on the next run."""
    st.session_state[_ROW_PENDING] = int(row)


# --------------------------------------------------------------------------- 1. the map


@fragment
def map_section(model) -> None:
    """The decision map over two features with the held-out rows, and the live reference row."""
    features, ranked = _features(model)
    if len(features) < 2:
        st.info("The model reads a single feature: a map needs two.")
        return
    x, y = _axes(features, ranked)
    st.session_state[X_KEY], st.session_state[Y_KEY] = x, y
    reference_row_number(model)
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    x = c1.selectbox("Across (x)", features, key=X_KEY)
    y_options = [f for f in features if f != x]
    if st.session_state.get(Y_KEY) not in y_options:
        st.session_state[Y_KEY] = next(f for f in ranked if f != x)
    y = c2.selectbox("Up (y)", y_options, key=Y_KEY)
    shade = c3.segmented_control(
        "Shade",
        ["probability", "entropy"],
        default="probability",
        format_func={"probability": "Top probability", "entropy": "Entropy"}.get,
        key=SHADE_KEY,
        help="Darker where the model is surer: its top probability, or low entropy.",
    )
    row = c4.number_input(
        f"Reference: held-out row (1 to {model.n_test:,})",
        min_value=1,
        max_value=model.n_test,
        step=1,
        key=ROW_KEY,
        help="The map holds every other feature at this row's values. Click a point on the "
        "map to make it the reference row.",
    )
    base = model.X_test.iloc[[int(row) - 1]]
    truth = str(model.y_test[int(row) - 1])
    left, right = st.columns([3, 2])
    with right:
        st.markdown("**Change the reference row**")
        reference, changed = _reference_inputs(model, base, int(row), features, ranked, x, y)
    # The reference row is held-out row ``row`` with these changes: that names it exactly.
    row_key = (int(row), tuple(changed.items()))
    with left:
        chart_at = st.container()  # the map first, its legend's choice under it
        legend = legend_classes(model)
        dmap, figure = last_built(
            model,
            ("map", x, y, shade, row_key, legend),
            lambda: _map_and_figure(model, x, y, shade or "probability", reference, legend),
        )
        event = plotly_chart(
            figure, where=chart_at, key="decision_map", on_select="rerun", selection_mode="points"
        )
        st.caption(
            escape_markdown(dmap.caption)
            + " The star is the reference row. Points are held-out rows in their true class's "
            "colour, at their own x and y; their other features differ from the star's, so a "
            "point may sit in another class's region and still be predicted right (a cross "
            "marks the ones predicted wrong). Click a point to make it the reference row."
        )
    clicked = figures.selected_map_row(event)
    if clicked is not None and clicked != st.session_state.get(_CLICK_SEEN):
        st.session_state[_CLICK_SEEN] = clicked
        pick_row(clicked + 1)
        st.rerun(scope="fragment")
    what_if = "held-out row {row}" + (", changed: " + ", ".join(changed) if changed else "")
    row_thinking(model, reference, truth, what_if.format(row=int(row)), row_key=row_key)


def last_built(model, key: tuple, build):
    """The last thing built under ``key`` (its first item names the slot) for this model, or
    a fresh build. One entry a slot: a temperature then redraws the softmax, not the map."""
    slots = st.session_state.setdefault(_LAST_BUILT, {})
    full = (model.model_id, *key)
    kept = slots.get(key[0])
    if kept is None or kept[0] != full:
        kept = (full, build())
        slots[key[0]] = kept
    return kept[1]


def legend_classes(model, *, choice: bool = True) -> tuple[str, ...] | None:
    """The classes the maps' legends list: all (None) for a few, else the user's choice,
    starting from the ones with the most held-out rows (as Evaluate's curves). ``choice``
    draws the choice; without it, the choice made (or its start) is read."""
    classes = [str(c) for c in model.classes]
    if len(classes) <= figures.MAX_LEGEND_CLASSES:
        return None
    start = figures.classes_that_matter(memo.chart_data(model).roc)
    if not choice:
        chosen = st.session_state.get(LEGEND_KEY)
        return tuple(start if chosen is None else chosen)
    chosen = st.multiselect(
        "Classes in the legend",
        classes,
        default=start,
        key=LEGEND_KEY,
        help=f"{len(classes)} classes: the legend lists the {figures.MAX_LEGEND_CLASSES} with "
        "the most held-out rows first; add or remove any. Every class is drawn on the map.",
    )
    return tuple(chosen)


def _map_and_figure(
    model, x: str, y: str, shade: str, reference: pd.DataFrame, legend: tuple[str, ...] | None
):
    dmap = explore.decision_map(
        model.pipeline,
        model.X_test,
        x=x,
        y=y,
        reference=reference,
        resolution=RESOLUTION,
        observed=_observed(model),
    )
    figure = figures.decision_map_figure(
        dmap,
        shade=shade,
        x_points=model.X_test[x],
        y_points=model.X_test[y],
        true_class=model.y_test,
        predicted_class=model.test_pred,
        row_ids=np.arange(model.n_test),
        legend_classes=legend,
    )
    return dmap, figure


def _reference_inputs(model, base, row: int, features, ranked, x: str, y: str):
    """One input per feature (x, y and a few more) starting at the row's values.

    Returns the reference row with the user's changes and the names of the changed features.
    """
    controls = memo.once(
        model,
        ("reference_controls", row),
        lambda: {
            c.name: c
            for c in explore.reference_controls(
                model.pipeline, model.X_test, base, observed=_observed(model)
            )
        },
    )
    shown = [x, y]
    others = [f for f in ranked if f not in shown]
    if len(others) <= SHOWN_INPUTS:
        shown += others
    else:
        more = st.multiselect(
            "More features to change",
            others,
            default=others[:SHOWN_INPUTS],
            key=MORE_KEY,
            help="Wide tables: pick the features you want an input for. The others stay at "
            "the reference row's values.",
        )
        shown += list(more)
    reference, changed = base, {}
    for name in shown:
        value, moved = _feature_input(
            controls[name], key=f"explore_in_{row}_{features.index(name)}"
        )
        if moved:
            reference = explore.with_value(reference, name, value)
            changed[name] = value
    return reference, changed


def _feature_input(control: explore.FeatureControl, *, key: str) -> tuple[object, bool]:
    """The widget for one feature; returns its value and whether it differs from the row's."""
    label = escape_markdown(control.name)
    if control.categorical:
        options = [*control.categories, None]
        start = control.value if control.value in control.categories else None
        chosen = st.selectbox(
            label,
            options,
            index=options.index(start),
            format_func=lambda v: MISSING if v is None else str(v),
            key=key,
        )
        return chosen, chosen != start
    low, high = float(control.low), float(control.high)
    start = None if control.value is None else float(control.value)
    shown = (low + high) / 2 if start is None else start
    value = st.slider(
        label,
        min_value=low,
        max_value=high,
        value=shown,
        step=_nice_step(low, high),
        key=key,
        help=None
        if start is not None
        else "Missing in this row: the model fills it in. Move the slider to give it a value.",
    )
    return float(value), not math.isclose(value, shown, rel_tol=0, abs_tol=1e-12)


def _nice_step(low: float, high: float) -> float:
    """A round step giving about 100 to 1000 positions between ``low`` and ``high``."""
    span = high - low
    if span <= 0:
        return 1.0
    return float(10 ** math.floor(math.log10(span / 100)))


def row_thinking(model, reference: pd.DataFrame, truth: str, what: str, *, row_key) -> None:
    """The reference row's logits as sums of contributions, its softmax with a temperature,
    its entropy and cross-entropy: all from the same row as the map's star."""
    exp = last_built(
        model,
        ("explain", row_key, truth),
        lambda: evaluation.explain_row(
            model.pipeline, reference, true_label=truth, feature_names=model.feature_names
        ),
    )
    classes = list(exp.classes)
    st.markdown("##### What the model computes for the reference row")
    st.text(f"The reference row: {what}. Its true class: {truth}.")
    left, right = st.columns(2)
    with left:
        chosen = st.selectbox(
            "Logit of",
            [None, *classes],
            format_func=lambda c: f"the predicted class ({exp.predicted})" if c is None else c,
            key=LOGIT_CLASS_KEY,
            help="Each bar is one input's weight times its value; with the intercept they add "
            "up to the class's logit z.",
        )
        k = exp.class_index(exp.predicted if chosen is None else chosen)
        plotly_chart(
            last_built(
                model,
                ("logits", row_key, k),
                lambda: figures.logit_contributions_figure(
                    exp.contributions[k],
                    list(exp.feature_names),
                    float(exp.intercepts[k]),
                    class_name=classes[k],
                    max_features=8,
                ),
            ),
            key="explore_logits",
        )
    with right:
        temperature = temperature_slider(TEMPERATURE_KEY)
        p_t = information.softmax(exp.logits, temperature=temperature)
        plotly_chart(
            last_built(
                model,
                ("softmax", row_key, temperature),
                lambda: figures.softmax_bars_figure(
                    exp.logits, p_t, labels=classes, temperature=temperature
                ),
            ),
            key="explore_softmax",
        )
    k_true = exp.class_index(truth)
    unit = info_unit()  # the session's unit, shared with Predict and the Calculators
    base = math.e if unit == "nats" else 2.0
    entropy = information.entropy(p_t, base=base)
    cross = -math.log(max(float(p_t[k_true]), 1e-15), base)
    m1, m2, m3 = st.columns(3)
    m1.metric("Probability of the true class", f"{p_t[k_true]:.3f}")
    m2.metric(
        f"Entropy ({unit}): how unsure",
        f"{entropy:.3f}",
        help=f"0 when sure of one class; {math.log(len(classes), base):.2f} {unit} when all "
        "classes are equally likely. The unit is chosen under Information (or on Predict).",
    )
    m3.metric(
        f"Cross-entropy ({unit}): how wrong",
        f"{cross:.3f}",
        help=f"−{'ln' if unit == 'nats' else 'log₂'} of the probability given to the true "
        f"class: 0 when it got everything, {math.log(2, base):.3g} {unit} for one half. With a "
        "known true class it equals the KL divergence from the truth.",
    )
    st.text(
        f"At T = {temperature:g} the model gives {classes[int(np.argmax(p_t))]} the most "
        f"probability ({np.max(p_t):.1%}) and the true class {truth} {p_t[k_true]:.1%}."
    )


# --------------------------------------------------------------------------- 2. C in motion


def c_motion_section(model) -> None:
    """The model at every C of the grid, one at a time, with a play button."""
    motion = _motion(model)
    if motion is None:
        return
    playing = bool(st.session_state.get(_PLAYING))
    body = functools.partial(guarded, functools.partial(_c_motion_body, model, motion))
    functools.update_wrapper(body, _c_motion_body)
    st.fragment(body, run_every=PLAY_SECONDS if playing else None)()


def _motion(model) -> explore.CMotion | None:
    def build():
        with st.spinner("Preparing the model at every C (once per model)…"):
            return explore.c_motion_from_model(model)

    return memo.once(model, ("c_motion",), build)


def _c_motion_body(model, motion: explore.CMotion) -> None:
    values = list(motion.c_values)
    if st.session_state.get(C_KEY) not in values:
        st.session_state[C_KEY] = values[motion.index_of(model.best_C)]
    if st.session_state.get(_PLAYING):
        i = values.index(st.session_state[C_KEY]) + 1
        if i >= len(values):  # the end of the grid: stop
            st.session_state[_PLAYING] = False
            st.rerun()
        st.session_state[C_KEY] = values[i]
    left, right = st.columns([5, 1])
    C = left.select_slider(
        "C: small pulls every weight towards 0, large lets the weights grow",
        options=values,
        format_func=lambda c: f"{c:g}",
        key=C_KEY,
    )
    playing = bool(st.session_state.get(_PLAYING))
    if right.button(
        "Pause" if playing else "Play",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        key="explore_play",
        on_click=_play_or_pause,
        args=(values,),
        help="Step through the grid from the smallest C to the largest.",
    ):
        st.rerun()  # the whole page: the section's timer starts or stops with it
    i = values.index(C)
    features, ranked = _features(model)
    if len(features) >= 2:
        x, y = _axes(features, ranked)
        row = reference_row_number(model)
        legend = legend_classes(model, choice=False)  # as chosen on the Decision map tab
        figure = memo.once(
            model,
            ("c_map", x, y, row, i, legend),
            lambda: _c_map_figure(model, motion, i, x, y, row, legend),
        )
        map_col, cm_col = st.columns([3, 2])
        plotly_chart(where=map_col, figure=figure, key="c_motion_map")
        map_col.caption(
            escape_markdown(f"Across: {x}; up: {y}; the others held at held-out row {row}.")
            + " Change them on the Decision map tab."
        )
    else:
        cm_col = st.container()
    with cm_col:
        st.markdown(f"**Held-out confusion matrix at C = {C:g}**")
        plotly_chart(
            memo.once(
                model,
                ("c_confusion", i),
                lambda: figures.confusion_matrix_figure(motion.confusion[i], list(motion.classes)),
            ),
            key="c_motion_confusion",
        )
        note = "" if motion.converged[i] else " (the solver stopped before converging)"
        st.text(f"Held-out accuracy at C = {C:g}: {number_text(motion.accuracy[i])}{note}.")
    scores, paths = st.columns(2)
    plotly_chart(
        where=scores,
        figure=memo.once(model, ("c_scores", i), lambda: _c_scores_figure(model, C)),
        key="c_motion_scores",
    )
    with paths:
        chosen = st.selectbox("Weights of class", list(motion.classes), key="explore_c_class")
        plotly_chart(
            memo.once(model, ("c_paths", chosen, i), lambda: _c_paths_figure(model, C, chosen)),
            key="c_motion_paths",
        )


def _play_or_pause(values: list[float]) -> None:
    """Start (from the smallest C when at the end) or stop the play; runs before the widgets."""
    playing = bool(st.session_state.get(_PLAYING))
    if not playing and st.session_state.get(C_KEY) == values[-1]:
        st.session_state[C_KEY] = values[0]
    st.session_state[_PLAYING] = not playing


def _c_map_figure(model, motion: explore.CMotion, i: int, x: str, y: str, row: int, legend):
    pipeline = motion.pipelines[i]
    dmap = explore.decision_map(
        pipeline,
        model.X_test,
        x=x,
        y=y,
        reference=model.X_test.iloc[[row - 1]],
        resolution=RESOLUTION,
        observed=_observed(model),
    )
    if motion.predicted:  # kept with the fits: no prediction of every held-out row per C
        predicted = motion.predicted[i]
    else:
        predicted = np.asarray(pipeline.predict(model.X_test)).astype(str)
    return figures.decision_map_figure(
        dmap,
        x_points=model.X_test[x],
        y_points=model.X_test[y],
        true_class=model.y_test,
        predicted_class=predicted,
        row_ids=np.arange(model.n_test),
        legend_classes=legend,
        title=f"The map at C = {motion.c_values[i]:g}",
    )


def _c_scores_figure(model, C: float):
    """The Evaluate chart of the CV scores against C, with the C shown marked."""
    figure = memo.once(  # the one Evaluate shows (the training job built it)
        model,
        memo.chart_key("cv_scores"),
        lambda: CHARTS["cv_scores"].figure(model, memo.chart_data(model)),
    )
    return figures.with_C_marker(figure, C)


def _c_paths_figure(model, C: float, class_name: str):
    """The Evaluate chart of one class's weights against C, with the C shown marked."""
    figure = memo.once(  # the one Evaluate shows for this class
        model,
        memo.chart_key("coef_paths", class_name=class_name),
        lambda: CHARTS["coef_paths"].figure(model, memo.chart_data(model), class_name=class_name),
    )
    return figures.with_C_marker(figure, C)


# --------------------------------------------------------------------------- 3. costs


@fragment
def costs_section(model) -> None:
    """A cost per (true class, decided class); decisions by minimum expected cost."""
    classes = list(model.classes)
    st.caption(
        "Some mistakes cost more than others. Give each pair of true class (row) and decided "
        "class (column) a cost; every row is then decided by the lowest expected cost, "
        "Σ p(true class) × cost. With 0 on the diagonal and 1 elsewhere that is the most "
        "probable class."
    )
    edited = st.data_editor(
        _costs_start(model),
        key=COSTS_KEY,
        num_rows="fixed",
        column_config={
            c: st.column_config.NumberColumn(min_value=0.0, step=0.1, format="%g") for c in classes
        },
    )
    threshold = None
    if len(classes) == 2:
        suggested = explore.cost_threshold(edited, classes=classes)
        threshold = st.slider(
            f"Decide {escape_markdown(classes[1])} when its probability is above",
            0.0,
            1.0,
            value=round(suggested, 2),
            step=0.01,
            # A new key when the costs change: the slider moves to their threshold.
            key=f"explore_threshold_{suggested:.6f}",
            help=f"These costs suggest {suggested:.3g}: below it, deciding the first class "
            "costs less on average.",
        )
    st.caption("Rows: the true class. Columns: the class decided. Type over a cost to change it.")
    rule = explore.decision_rule(classes=classes, costs=edited, threshold=threshold)
    state.set_decision_rule(model, rule)
    decisions, confusion = last_built(
        model,
        ("costs", rule.costs.tobytes(), rule.threshold),
        lambda: _decisions_and_figure(model, rule),
    )
    m1, m2, m3 = st.columns(3)
    m1.metric("Total cost (held-out rows)", f"{decisions.total_cost:,.4g}")
    m2.metric("Mean cost per row", f"{decisions.mean_cost:.4g}")
    change = decisions.accuracy - model.evaluation.accuracy
    m3.metric(
        "Accuracy of the decisions",
        f"{decisions.accuracy:.3f}",
        delta=f"{change:+.3f} against the most probable class" if abs(change) > 5e-4 else None,
        delta_color="off",
    )
    left, right = st.columns([3, 2])
    plotly_chart(
        where=left,
        figure=confusion,
        key="cost_confusion",
    )
    with right:
        for sentence in [rule.sentence(), *decisions.sentences()[1:]]:
            st.markdown("- " + escape_markdown(sentence))
        st.caption(
            "These costs go into the predictions download on the Predict page (a decision "
            "column beside predicted_class) and into the report."
        )


def _decisions_and_figure(model, rule: explore.DecisionRule):
    decisions = rule.on_rows(model.y_test, model.test_proba)
    figure = figures.confusion_matrix_figure(
        decisions.confusion, list(model.classes), title="True class against the decision"
    )
    return decisions, figure


def _costs_start(model) -> pd.DataFrame:
    """The table the cost editor starts from: the costs kept for this model, or 0/1."""
    kept = st.session_state.get(_COSTS_START)
    if kept is not None and kept[0] == model.model_id and COSTS_KEY in st.session_state:
        return kept[1]
    rule = state.decision_rule(model)
    if rule is None:
        rule = explore.decision_rule(classes=model.classes)
    frame = rule.costs_table()
    frame.index = frame.index.astype(str)
    st.session_state[_COSTS_START] = (model.model_id, frame)
    return frame


# --------------------------------------------------------------------------- 4. information


def information_section(model, *, link: bool = True) -> None:
    """How wrong and how unsure the model was on each held-out row, in the session's unit
    (nats by default, bits a choice shared with Predict and the Calculators)."""
    view = memo.once(model, ("information_view",), lambda: _information_view(model))
    words, choice = st.columns([4, 1], vertical_alignment="bottom")
    words.caption(
        "Two numbers per held-out row. Entropy: how unsure the model was, whatever the truth. "
        "Cross-entropy: how wrong it was about the true class. Sure and wrong is the worst."
    )
    unit, base = unit_choice(UNIT_KEY, where=choice)
    per_nat = 1 / math.log(base)  # the unit's amount in one nat
    m1, m2, m3 = st.columns(3)
    m1.metric(f"Model log-loss ({unit} per row)", f"{view.log_loss * per_nat:.3f}")
    m2.metric("Guessing the class shares", f"{view.prior_log_loss * per_nat:.3f}")
    m3.metric(
        f"Saved per row ({unit})",
        f"{(view.prior_log_loss - view.log_loss) * per_nat:.3f}",
        help=f"The class shares' log-loss minus the model's, in {unit}: what the features "
        "teach the model about each row.",
    )
    left, right = st.columns([3, 2])
    event = plotly_chart(
        where=left,
        figure=memo.once(
            model,
            ("information_figure", unit),
            lambda: figures.information_figure(view, max_points=INFO_POINTS, unit=unit),
        ),
        key="information_scatter",
        on_select="rerun" if link else "ignore",
        selection_mode="points",
    )
    plotly_chart(
        where=right,
        figure=memo.once(
            model, ("log_loss_split", unit), lambda: figures.log_loss_split_figure(view, unit=unit)
        ),
        key="log_loss_split",
    )
    if link:
        left.caption("Click a point to pick its held-out row.")
    for sentence in view.sentences(unit=unit):
        st.markdown("- " + escape_markdown(sentence))
    clicked = figures.selected_map_row(event) if link else None
    if clicked is not None:
        st.text(f"Held-out row {clicked + 1} selected.")
        c1, c2 = st.columns(2)
        if c1.button("Make it the map's reference row", key="info_to_map"):
            pick_row(clicked + 1)
            st.session_state[_CLICK_SEEN] = None
            st.rerun()
        if c2.button("Explain it step by step on Predict", key="info_to_predict"):
            state.open_row_on_predict(clicked + 1)


def _information_view(model) -> explore.InformationView:
    baseline = model.evaluation.baseline
    if baseline is not None:
        prior = np.asarray(baseline.class_shares, dtype=float)
    else:  # an older record: the held-out shares are the closest stand-in
        prior = explore.class_shares(model.y_test, classes=model.classes)
    return explore.information_view(
        model.y_test, model.test_proba, classes=model.classes, prior=prior
    )
