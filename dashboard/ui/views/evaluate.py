"""The Evaluate page's sections, one function a tab; charts come from :mod:`dashboard.charts`."""

from __future__ import annotations

import streamlit as st

from dashboard import evaluation, figures
from dashboard.ui import memo, state
from dashboard.ui.guards import fragment
from dashboard.ui.text import escape_markdown
from dashboard.ui.training_run import compute_weight_comparison
from dashboard.ui.views import honesty, many_classes
from dashboard.ui.views.chart import chart_caption, show_chart
from dashboard.words import number_text

_HARD_CELL = "hard_cell"  # the confusion-matrix cell whose rows Hardest examples lists
_HARD_CELL_SEEN = "hard_cell_seen"  # the cell last clicked, so a rerun does not re-apply it
_TABLE_ROWS = 5  # classes the per-class table shows before it scrolls
_TABLE_HEIGHT = 35 * (_TABLE_ROWS + 1) + 3  # px: the header and that many rows


def what_am_i_looking_at(latex: str, text: str) -> None:
    """The expander under a chart: its formula and a plain explanation."""
    with st.expander("What am I looking at?"):
        st.latex(latex)
        st.markdown(text)


@fragment
def confusion_section(model) -> None:
    """The confusion matrix (a click lists the cell's rows), its sentences, the per-class table."""
    ev, classes = model.evaluation, list(model.classes)
    words, choice = st.columns([1, 1], vertical_alignment="center")  # one row: the matrix
    with words:  # starts on a laptop's first screen
        chart_caption("confusion_matrix")
    normalize = choice.segmented_control(
        "Normalise",
        ["none", "true", "pred", "all"],
        default="none",
        format_func={
            "none": "Counts",
            "true": "By true class",
            "pred": "By predicted class",
            "all": "Over all",
        }.get,
        key="cm_normalize",
        persist_state="session",
        label_visibility="collapsed",  # the options say it; one row with the caption
    )
    norm = None if normalize in (None, "none") else normalize
    # The matrix with its reading beside it, so that many classes add no screens below it.
    matrix, beside = st.columns([3, 2])
    event = show_chart(
        model, "confusion_matrix", where=matrix, select=True, normalize=norm, clickable=True
    )
    cell = figures.selected_cell(event, classes)
    if cell != st.session_state.get(_HARD_CELL_SEEN):
        st.session_state[_HARD_CELL_SEEN] = cell
        st.session_state[_HARD_CELL] = cell
        st.rerun()
    many = len(classes) > _TABLE_ROWS  # then the table scrolls, beside the tall matrix
    with beside:
        many_classes.confusion_sentences(model, norm)  # summarised with many classes
    with beside if many else matrix:  # a few classes: under their small matrix
        st.markdown("**Per class**")
        st.dataframe(ev.per_class, hide_index=True, height=_TABLE_HEIGHT if many else "auto")
    with beside:
        many_classes.metric_sentences(model)
    words_at, formula_at = matrix.columns(2)  # under the matrix: what stays closed until asked
    with words_at:
        many_classes.numbers_in_words(model)
    with formula_at:
        what_am_i_looking_at(
            r"\text{recall}_k = \frac{C_{kk}}{\sum_j C_{kj}} \qquad "
            r"\text{precision}_k = \frac{C_{kk}}{\sum_i C_{ik}}",
            "C is the matrix of counts: C_ij rows of true class i predicted j. "
            "Normalising by true class divides each row by its total, so the "
            "diagonal shows recall; by predicted class divides each column, so "
            "the diagonal shows precision.",
        )


def choosing_c_section(model) -> None:
    """The CV scores against C with the one-standard-error choice, and the coefficient paths;
    a best C at the grid's edge is said here, with the grid extended in one click."""
    honesty.warnings_section(model, kinds=("grid_edge",))
    chart_caption("cv_scores")
    show_chart(model, "cv_scores")
    st.markdown(escape_markdown(memo.chart_data(model).one_se.sentence()))
    honesty.one_standard_error_choice(model)
    st.subheader("Coefficient paths")
    chart_caption("coef_paths")
    coefficient_paths(model)
    what_am_i_looking_at(
        r"\min_{W, b}\; \frac{1}{2}\lVert W \rVert^2 + C \sum_i -\log p_{y_i}(x_i)",
        "Logistic regression balances two things: small weights (the first term) "
        "and a small log-loss on the training rows (the second). C sets the "
        "balance. Cross-validation tries each C on folds it did not train on.",
    )


@fragment
def coefficient_paths(model) -> None:
    chosen = st.selectbox("Class", list(model.classes), key="path_class")
    show_chart(model, "coef_paths", class_name=chosen)


def curves_section(model) -> None:
    """ROC and precision-recall curves with their areas."""
    data = memo.chart_data(model)
    roc, pr = data.roc, data.pr
    chart_caption("roc")
    drawn = many_classes.classes_drawn(model, roc)
    c1, c2 = st.columns(2)
    show_chart(model, "roc", where=c1, classes=drawn)
    show_chart(model, "pr", where=c2, classes=drawn)
    st.text(
        f"ROC AUC: micro {number_text(roc.micro_score)}, macro {number_text(roc.macro_score)}.   "
        f"Average precision: micro {number_text(pr.micro_score)}, "
        f"macro {number_text(pr.macro_score)}."
    )
    for note in (*roc.notes, *pr.notes):
        st.caption(escape_markdown(note))
    what_am_i_looking_at(
        r"\text{TPR} = \frac{TP}{TP + FN} \quad \text{FPR} = \frac{FP}{FP + TN} \quad "
        r"\text{precision} = \frac{TP}{TP + FP}",
        "Each curve moves a threshold on one class's probability from 1 down to 0. "
        "Micro pools every (row, class) pair; macro averages the classes.",
    )


@fragment
def calibration_section(model) -> None:
    """Reliability diagram, confidence histogram and temperature effect, at a chosen T."""
    chart_caption("reliability")
    temperature = st.slider(
        "Temperature applied to the fitted logits",
        0.25,
        5.0,
        1.0,
        0.05,
        key="calibration_temperature",
        persist_state="session",
        help="Dividing every logit by T changes how confident the model is, never which "
        "class it picks: accuracy stays, log-loss and calibration error move.",
    )
    t = round(float(temperature), 4)
    data = memo.chart_data(model)
    c1, c2 = st.columns(2)
    show_chart(model, "reliability", where=c1, temperature=t)
    show_chart(model, "confidence_hist", where=c2, temperature=t)
    st.text(
        f"Expected calibration error at T = {temperature:g}: {data.calibration(t).ece:.4f}. "
        f"Best temperature on these rows: {data.best_temperature:.2f}."
    )
    show_chart(model, "temperature_effect", temperature=t)
    what_am_i_looking_at(
        r"\text{ECE} = \sum_b \frac{n_b}{n} \left| \text{acc}_b - "
        r"\text{conf}_b \right|, \qquad p_k(T) = \text{softmax}(z / T)_k",
        "Rows are put in bins by their confidence (the largest probability). "
        "In each bin, compare how often the model was right with how confident it was.",
    )


def hardest_examples_section(model) -> None:
    """Held-out rows by cross-entropy (of the clicked cell, if any); a selected row opens on
    Predict."""
    cell = st.session_state.get(_HARD_CELL)
    st.caption(
        "Held-out rows ranked by their cross-entropy, -ln p(true class): the rows the "
        "model was most confidently wrong about come first."
    )
    if cell is not None:
        st.text(f"Showing true {cell[0]} predicted {cell[1]} (the cell you clicked).")
        if st.button("Show every cell", key="hard_clear"):
            st.session_state.pop(_HARD_CELL, None)
            st.rerun()
    hard = memo.once(
        model,
        ("hardest", cell),
        lambda: evaluation.hardest_examples(
            model.y_test,
            model.test_proba,
            list(model.classes),
            index=range(1, model.n_test + 1),
            true_class=cell[0] if cell else None,
            predicted_class=cell[1] if cell else None,
            limit=50,
        ),
    )
    picked = st.dataframe(
        hard, hide_index=True, on_select="rerun", selection_mode="single-row", key="hard_table"
    )
    st.caption("Select a row to explain it on the Predict page.")
    rows = picked.selection.rows if picked is not None else []
    if rows:
        state.open_row_on_predict(int(hard.iloc[rows[0]]["row"]))


def class_weights_section(model) -> None:
    """The class-weight what-if: behind a button (it trains), then its charts and table."""
    chart_caption("class_weights")
    comparison = memo.model_extras(model).get("weights")
    if comparison is None:
        stale = state.stale_model_message(model)  # the what-if retrains on the model's table
        if stale is not None:
            st.caption(
                "The comparison trains again on the model's own table and target, which are "
                "no longer the ones loaded: train a model on the loaded table first."
            )
        if st.button(
            "Compare class weights",
            key="compare_weights",
            disabled=stale is not None,
            help="Trains the cross-validation twice more; takes about as long as "
            "one C of the search.",
        ):
            compute_weight_comparison(model)
            st.rerun()
        return
    show_chart(model, "class_weights")
    c1, c2 = st.columns(2)
    show_chart(model, "cm_none", where=c1)
    show_chart(model, "cm_balanced", where=c2)
    st.dataframe(comparison.per_class, hide_index=True)
    what_am_i_looking_at(
        r"w_k = \frac{n}{K \cdot n_k}",
        "Balanced weights count each row of class k with weight n / (K · n_k): n rows, "
        "K classes, n_k rows of class k. Rare classes then weigh as much in total as "
        "common ones, which usually raises their recall at some cost in precision. Both "
        "sides use the same folds and C, and every training row is predicted once, by "
        "the fold that did not train on it.",
    )
