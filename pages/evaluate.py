"""Evaluate: held-out metrics, the confusion matrix, score against C, and per-class results."""

import streamlit as st

from dashboard import figures, ui

st.title("Evaluate")
st.caption(
    "How good is the model on rows it never saw? All numbers below come from the held-out rows, "
    "except the chart of C, which shows the cross-validation that chose C."
)
model = ui.require_model()
ev = model.evaluation

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

st.subheader("Confusion matrix")
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
    help="By true class: each row sums to 1 (recall on the diagonal). By predicted class: each "
    "column sums to 1 (precision on the diagonal).",
)
norm = None if normalize in (None, "none") else normalize
st.plotly_chart(
    figures.confusion_matrix_figure(ev.confusion_matrix, list(model.classes), normalize=norm),
    key="confusion_matrix",
)

st.subheader("Score against C")
st.caption("Each dot is one fold's accuracy at that C; the line is the mean, the band its spread.")
st.plotly_chart(
    figures.cv_scores_figure(model.cv_results, model.cv_summary, model.best_C), key="cv_scores"
)

st.subheader("Per class")
st.dataframe(ev.per_class, hide_index=True)
