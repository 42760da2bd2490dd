"""Predict: explain any row step by step, predict a new CSV, use a saved model."""

import streamlit as st

from dashboard import evaluation, prediction, ui
from dashboard.data import load_csv
from dashboard.export import csv as files
from dashboard.export.model_file import load_model

st.title("Predict")
st.caption(
    "The model gives every class a score (a logit), and softmax turns the scores into "
    "probabilities. Follow one row through those steps, or predict a whole new file."
)

tab_explain, tab_file = st.tabs(["Explain a row", "Predict a new file"])

with tab_explain:

    @ui.fragment
    def explain_section() -> None:
        model = ui.model_or_hint()
        if model is None:  # the other tab still works with a saved model
            return
        source = st.radio(
            "Row",
            ["A held-out row", "Values I type"],
            horizontal=True,
            key="row_source",
            persist_state="session",
            help="Held-out rows were never seen in training; typed values let you ask 'what if?'.",
        )
        if source == "A held-out row":
            n = model.n_test
            if st.session_state.get("row", 1) > n:
                st.session_state["row"] = 1
            position = st.number_input(
                f"Held-out row (1 to {n:,}; the Evaluate page lists the hardest ones)",
                min_value=1,
                max_value=n,
                step=1,
                key="row",
                persist_state="session",
            )
            i = int(position) - 1
            row = model.X_test.iloc[[i]]
            truth = str(model.y_test[i])
        else:
            start = st.session_state.get("typed_row_start")
            if start is None or list(start.columns) != list(model.X_test.columns):
                start = model.X_test.iloc[[0]].reset_index(drop=True)
                st.session_state["typed_row_start"] = start
            row = st.data_editor(start, key="typed_row", hide_index=True, num_rows="fixed")
            truth = st.selectbox(
                "True class (optional)",
                [None, *model.classes],
                format_func=lambda c: "—" if c is None else c,
                key="typed_truth",
            )
        exp = evaluation.explain_row(
            model.pipeline, row, true_label=truth, feature_names=model.feature_names
        )
        ui.explain_row_view(model, exp)

    explain_section()

with tab_file:
    saved = st.session_state.get(ui.SAVED_MODEL)
    trained = st.session_state.get(ui.MODEL)
    with st.expander("Use a saved model (.skops)", expanded=trained is None and saved is None):
        model_file = st.file_uploader(
            "Model file from Softmax Lab",
            type=["skops"],
            key="model_upload",
            help="Only .skops files saved by Softmax Lab are accepted; they are checked "
            "before anything in them is loaded.",
        )
        if (
            model_file is not None
            and st.session_state.get("model_upload_seen") != model_file.file_id
        ):
            st.session_state["model_upload_seen"] = model_file.file_id
            try:
                st.session_state[ui.SAVED_MODEL] = load_model(model_file.getvalue())
                st.session_state.pop(ui.PREDICTIONS, None)  # keyed by id(model), now freed
            except ui.SoftmaxLabError as err:
                ui.show_error(err)
            saved = st.session_state.get(ui.SAVED_MODEL)
        if saved is not None:
            st.text(
                f"Loaded: predicts {saved.target} from {len(saved.feature_columns)} "
                f"columns; classes: {', '.join(saved.classes)}."
            )
    choices = {}
    if trained is not None:
        choices["The model trained in this session"] = trained
    if saved is not None:
        choices["The uploaded model file"] = saved
    if not choices:
        st.info("Train a model on the Train page, or upload a saved .skops model above.")
        st.page_link(ui.TRAIN_PAGE, label="Go to Train", icon=":material/model_training:")
        st.stop()
    which = st.radio("Model", list(choices), horizontal=True, key="predict_model")
    model = choices[which]
    columns = list(model.numeric_columns) + list(model.categorical_columns)
    st.caption(
        "The file needs these columns (others are ignored): "
        + ", ".join(ui.escape_markdown(c) for c in columns)
    )
    new_file = st.file_uploader(
        "CSV with new rows",
        key="predict_upload",
        help="Read by the same loader as the Data page; columns are matched by name.",
    )
    if new_file is not None:
        memo = st.session_state.get(ui.PREDICTIONS)
        signature = (new_file.file_id, id(model))
        if memo is None or memo[0] != signature:
            try:
                table = load_csv(new_file.getvalue(), name=new_file.name).table
                unseen = prediction.unseen_categories(model, table)
                result = prediction.predict_table(model, table)
            except ui.SoftmaxLabError as err:
                ui.show_error(err)
                st.stop()
            memo = (signature, result, unseen)
            st.session_state[ui.PREDICTIONS] = memo
        _, result, unseen = memo
        for column, values in unseen.items():
            st.info(
                ui.escape_markdown(
                    f"Column {column}: {len(values)} categor{'y' if len(values) == 1 else 'ies'} "
                    f"not seen in training ({', '.join(map(str, values[:5]))}"
                    f"{', …' if len(values) > 5 else ''}); they count as none of the known ones."
                )
            )
        st.text(f"{len(result):,} rows predicted.")
        st.dataframe(result.head(1000), hide_index=True)
        if len(result) > 1000:
            st.caption("The first 1,000 rows are shown; the download has them all.")
        st.download_button(
            "Download predictions (CSV)",
            lambda: files.safe_csv_bytes(result),
            file_name=files.PREDICTIONS_CSV_NAME,
            mime=files.CSV_MIME,
            on_click="ignore",
            icon=":material/download:",
            key="download_predictions",
        )
