"""Predict: class-probability bars for any held-out row."""

import streamlit as st

from dashboard import figures, ui

st.title("Predict")
st.caption(
    "The model gives every class a probability. Pick a held-out row to see them; the true class "
    "is marked."
)
model = ui.require_model()

n = model.n_test
position = st.number_input(
    f"Held-out row (1 to {n:,})", min_value=1, max_value=n, value=1, step=1, key="row"
)
i = int(position) - 1
truth = str(model.y_test[i])
predicted = str(model.test_pred[i])
st.plotly_chart(
    figures.probability_bars_figure(model.test_proba[i], list(model.classes), true_label=truth),
    key="row_probabilities",
)
verdict = "right" if truth == predicted else "wrong"
st.text(f"True class: {truth}. Predicted: {predicted} ({verdict}).")
with st.expander("The row's values"):
    st.dataframe(model.X_test.iloc[[i]], hide_index=True)
