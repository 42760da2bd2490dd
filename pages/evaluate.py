"""Evaluate: metrics, confusion matrix, regularisation, curves, calibration, hardest examples."""

import streamlit as st

from dashboard import evaluation, figures, ui

st.title("Evaluate")
st.caption(
    "How good is the model on rows it never saw? Everything here comes from the held-out rows, "
    "except the charts of C, which show the cross-validation that chose C."
)
model = ui.require_model()
ev = model.evaluation
classes = list(model.classes)
extras = ui.model_extras(model)

cols = st.columns(5)
cols[0].metric("Accuracy", f"{ev.accuracy:.3f}", help="Share of held-out rows predicted right.")
cols[1].metric(
    "Precision (macro)",
    f"{ev.precision_macro:.3f}",
    help="For each class: of the rows predicted as it, the share that were. Averaged.",
)
cols[2].metric(
    "Recall (macro)",
    f"{ev.recall_macro:.3f}",
    help="For each class: of the rows that were it, the share found. Averaged.",
)
cols[3].metric(
    "F1 (macro)",
    f"{ev.f1_macro:.3f}",
    help="The harmonic mean of precision and recall, per class, averaged.",
)
cols[4].metric(
    "Log-loss",
    f"{ev.log_loss:.3f}",
    help="The mean cross-entropy between the true class and the predicted "
    "probabilities: lower is better; 0 is perfect.",
)

tabs = st.tabs(
    ["Confusion matrix", "Choosing C", "Curves", "Calibration", "Hardest examples", "Class weights"]
)

with tabs[0]:

    @ui.fragment
    def confusion_section() -> None:
        st.caption(
            "Rows are the true class, columns the predicted one; the diagonal is right. "
            "Click a cell to list its rows under Hardest examples."
        )
        normalize = st.segmented_control(
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
        )
        norm = None if normalize in (None, "none") else normalize
        event = st.plotly_chart(
            ui.once(
                model,
                ("confusion", norm),
                lambda: figures.confusion_matrix_figure(
                    ev.confusion_matrix, classes, normalize=norm, clickable=True
                ),
            ),
            key="confusion_matrix",
            on_select="rerun",
            selection_mode="points",
        )
        cell = figures.selected_cell(event, classes)
        if cell != st.session_state.get("hard_cell_seen"):
            st.session_state["hard_cell_seen"] = cell
            st.session_state["hard_cell"] = cell
            st.rerun()
        for sentence in ui.once(
            model,
            ("confusion_sentences", norm),
            lambda: evaluation.confusion_sentences(ev.confusion_matrix, classes, normalize=norm),
        ):
            st.markdown("- " + ui.escape_markdown(sentence))
        with st.expander("What am I looking at?"):
            st.latex(
                r"\text{recall}_k = \frac{C_{kk}}{\sum_j C_{kj}} \qquad "
                r"\text{precision}_k = \frac{C_{kk}}{\sum_i C_{ik}}"
            )
            st.markdown(
                "C is the matrix of counts: C_ij rows of true class i predicted j. "
                "Normalising by true class divides each row by its total, so the "
                "diagonal shows recall; by predicted class divides each column, so "
                "the diagonal shows precision."
            )
        st.subheader("Per class")
        st.dataframe(ev.per_class, hide_index=True)
        for sentence in ui.once(
            model, ("metric_sentences",), lambda: evaluation.metric_sentences(ev)
        ):
            st.markdown("- " + ui.escape_markdown(sentence))

    confusion_section()

with tabs[1]:
    st.caption(
        "Mean cross-validated accuracy and log-loss at each C (log axis); each dot is one "
        "fold. The star is the best C; the green mark is the simplest C within one "
        "standard error of the best."
    )
    one_se = extras["one_se"]
    st.plotly_chart(
        ui.once(
            model,
            ("cv",),
            lambda: figures.cv_scores_figure(
                model.cv_results, model.cv_summary, model.best_C, one_se_C=one_se.chosen_C
            ),
        ),
        key="cv_scores",
    )
    st.markdown(ui.escape_markdown(one_se.sentence()))
    st.subheader("Coefficient paths")
    st.caption(
        "Each line is one input's weight for a class, refit at every C. Small C pulls "
        "every weight towards 0 (a simpler model); large C lets them grow."
    )

    @ui.fragment
    def coefficient_paths() -> None:
        path = model.coef_path
        chosen = st.selectbox("Class", classes, key="path_class")
        st.plotly_chart(
            ui.once(
                model,
                ("paths", chosen),
                lambda: figures.coefficient_paths_figure(
                    path["C"],
                    path["coef"],
                    path["feature_names"],
                    classes,
                    class_name=chosen,
                    best_C=model.best_C,
                ),
            ),
            key="coef_paths",
        )

    coefficient_paths()
    with st.expander("What am I looking at?"):
        st.latex(
            r"\min_{W, b}\; \frac{1}{2}\lVert W \rVert^2 + "
            r"C \sum_i -\log p_{y_i}(x_i)"
        )
        st.markdown(
            "Logistic regression balances two things: small weights (the first term) "
            "and a small log-loss on the training rows (the second). C sets the "
            "balance. Cross-validation tries each C on folds it did not train on."
        )

with tabs[2]:
    roc, pr = extras["roc"], extras["pr"]
    st.caption(
        "One-vs-rest: each class against all the others. The higher and further left "
        "the ROC curve, the better; AUC 1 is perfect, 0.5 is guessing."
    )
    c1, c2 = st.columns(2)
    c1.plotly_chart(ui.once(model, ("roc",), lambda: figures.roc_curves_figure(roc)), key="roc")
    c2.plotly_chart(ui.once(model, ("pr",), lambda: figures.precision_recall_figure(pr)), key="pr")
    st.text(
        f"ROC AUC: micro {roc.micro_score:.3f}, macro {roc.macro_score:.3f}.   "
        f"Average precision: micro {pr.micro_score:.3f}, macro {pr.macro_score:.3f}."
    )
    for note in (*roc.notes, *pr.notes):
        st.caption(ui.escape_markdown(note))
    with st.expander("What am I looking at?"):
        st.latex(
            r"\text{TPR} = \frac{TP}{TP + FN} \quad \text{FPR} = \frac{FP}{FP + TN} \quad "
            r"\text{precision} = \frac{TP}{TP + FP}"
        )
        st.markdown(
            "Each curve moves a threshold on one class's probability from 1 down to 0. "
            "Micro pools every (row, class) pair; macro averages the classes."
        )

with tabs[3]:

    @ui.fragment
    def calibration_section() -> None:
        st.caption(
            "When the model says 80 %, is it right 80 % of the time? Points on the "
            "diagonal are calibrated; below it the model is over-confident."
        )
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
        cal = ui.calibration_at(model, temperature)
        t = round(float(temperature), 4)
        c1, c2 = st.columns(2)
        c1.plotly_chart(
            ui.once(
                model,
                ("reliability", t),
                lambda: figures.calibration_figure(cal),
            ),
            key="reliability",
        )
        c2.plotly_chart(
            ui.once(
                model,
                ("confidence", t),
                lambda: figures.confidence_histogram_figure(cal),
            ),
            key="confidence_hist",
        )
        st.text(
            f"Expected calibration error at T = {temperature:g}: {cal.ece:.4f}. "
            f"Best temperature on these rows: {extras['best_temperature']:.2f}."
        )
        st.plotly_chart(
            ui.once(
                model,
                ("temperature", t),
                lambda: figures.temperature_effect_figure(
                    extras["temperature"], current=temperature
                ),
            ),
            key="temperature_effect",
        )
        with st.expander("What am I looking at?"):
            st.latex(
                r"\text{ECE} = \sum_b \frac{n_b}{n} \left| \text{acc}_b - "
                r"\text{conf}_b \right|, \qquad p_k(T) = \text{softmax}(z / T)_k"
            )
            st.markdown(
                "Rows are put in bins by their confidence (the largest probability). "
                "In each bin, compare how often the model was right with how "
                "confident it was."
            )

    calibration_section()

with tabs[4]:
    cell = st.session_state.get("hard_cell")
    st.caption(
        "Held-out rows ranked by their cross-entropy, -ln p(true class): the rows the "
        "model was most confidently wrong about come first."
    )
    if cell is not None:
        st.text(f"Showing true {cell[0]} predicted {cell[1]} (the cell you clicked).")
        if st.button("Show every cell", key="hard_clear"):
            st.session_state.pop("hard_cell", None)
            st.rerun()
    hard = ui.once(
        model,
        ("hardest", cell),
        lambda: evaluation.hardest_examples(
            model.y_test,
            model.test_proba,
            classes,
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
        st.session_state["row"] = int(hard.iloc[rows[0]]["row"])
        st.session_state["row_source"] = "A held-out row"
        st.switch_page(ui.PREDICT_PAGE)

with tabs[5]:
    st.caption(
        "What if rare classes weighed as much as common ones? The same folds, trained "
        "with no class weights and with balanced ones, at the chosen C."
    )
    comparison = extras.get("weights")
    if comparison is None:
        if st.button(
            "Compare class weights",
            key="compare_weights",
            help="Trains the cross-validation twice more; takes about as long as "
            "one C of the search.",
        ):
            ui.compute_weight_comparison(model)
            st.rerun()
    else:
        st.plotly_chart(
            ui.once(model, ("weights",), lambda: figures.class_weight_figure(comparison)),
            key="class_weights",
        )
        c1, c2 = st.columns(2)
        c1.plotly_chart(
            ui.once(
                model,
                ("weights", "none"),
                lambda: figures.confusion_matrix_figure(
                    comparison.confusion_none,
                    classes,
                    normalize="true",
                    title="No weights, by true class",
                ),
            ),
            key="cm_none",
        )
        c2.plotly_chart(
            ui.once(
                model,
                ("weights", "balanced"),
                lambda: figures.confusion_matrix_figure(
                    comparison.confusion_balanced,
                    classes,
                    normalize="true",
                    title="Balanced, by true class",
                ),
            ),
            key="cm_balanced",
        )
        st.dataframe(comparison.per_class, hide_index=True)
        with st.expander("What am I looking at?"):
            st.latex(r"w_k = \frac{n}{K \cdot n_k}")
            st.markdown(
                "Balanced weights count each row of class k with weight n / (K · n_k): n rows, "
                "K classes, n_k rows of class k. Rare classes then weigh as much in total as "
                "common ones, which usually raises their recall at some cost in precision. Both "
                "sides use the same folds and C, and every training row is predicted once, by "
                "the fold that did not train on it."
            )

st.subheader("Take it with you")
ui.model_downloads(model)
