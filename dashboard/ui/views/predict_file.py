"""Predict a new file: pick the model (trained here or an uploaded .skops file), upload, download."""

from __future__ import annotations

import streamlit as st

from dashboard import prediction
from dashboard.data import load_csv
from dashboard.errors import SoftmaxLabError
from dashboard.ui import memo, state
from dashboard.ui.downloads import predictions_download
from dashboard.ui.guards import show_error
from dashboard.ui.paths import TRAIN_PAGE
from dashboard.ui.text import escape_markdown
from dashboard.words import plural

_MODEL_UPLOAD_SEEN = "model_upload_seen"  # file_id of the last model file we checked
SHOWN_ROWS = 1000


def saved_model_uploader(*, expanded: bool):
    """The expander where a user uploads a saved model; returns the session's saved model."""
    from dashboard.export.model_file import load_model

    saved = state.saved_model()
    with st.expander("Use a saved model (.skops)", expanded=expanded):
        model_file = st.file_uploader(
            "Model file from Softmax Lab",
            type=["skops"],
            key="model_upload",
            help="Only .skops files saved by Softmax Lab are accepted; they are checked "
            "before anything in them is loaded.",
        )
        if model_file is not None and st.session_state.get(_MODEL_UPLOAD_SEEN) != (
            model_file.file_id
        ):
            st.session_state[_MODEL_UPLOAD_SEEN] = model_file.file_id
            try:
                state.set_saved_model(load_model(model_file.getvalue()))
            except SoftmaxLabError as err:
                show_error(err)
            saved = state.saved_model()
        if saved is not None:
            st.text(
                f"Loaded: predicts {saved.target} from {len(saved.feature_columns)} "
                f"columns; classes: {', '.join(saved.classes)}."
            )
    return saved


def choose_model():
    """The trained or the uploaded model, as the user picks; stops the page if there is none."""
    trained = state.model()
    saved = saved_model_uploader(expanded=trained is None and state.saved_model() is None)
    choices = {}
    if trained is not None:
        choices["The model trained in this session"] = trained
    if saved is not None:
        choices["The uploaded model file"] = saved
    if not choices:
        st.info("Train a model on the Train page, or upload a saved .skops model above.")
        st.page_link(TRAIN_PAGE, label="Go to Train", icon=":material/model_training:")
        st.stop()
    which = st.radio("Model", list(choices), horizontal=True, key="predict_model")
    return choices[which]


def _unseen_note(column: str, values: list) -> str:
    many = len(values) != 1
    shown = ", ".join(map(str, values[:5])) + (", …" if len(values) > 5 else "")
    return (
        f"Column {column}: {len(values)} categor{'ies' if many else 'y'} not seen in training "
        f"({shown}); they count as none of the known ones."
    )


def predict_file_view(model) -> None:
    """Upload a CSV of new rows; show and offer the model's predictions for it."""
    columns = [
        *model.numeric_columns,
        *model.categorical_columns,
        *getattr(model, "date_columns", ()),
        *getattr(model, "text_columns", ()),
    ]
    st.caption(
        "The file needs these columns (others are ignored): "
        + ", ".join(escape_markdown(c) for c in columns)
    )
    new_file = st.file_uploader(
        "CSV with new rows",
        key="predict_upload",
        help="Read by the same loader as the Data page; columns are matched by name.",
    )
    if new_file is None:
        return

    def predict():
        table = load_csv(new_file.getvalue(), name=new_file.name).table
        unseen = prediction.unseen_categories(model, table)
        return prediction.predict_table(model, table), unseen

    try:
        result, unseen = memo.predictions(model, new_file, predict)
    except SoftmaxLabError as err:
        show_error(err)
        st.stop()
    rule = state.decision_rule(model)
    if rule is not None and not rule.is_default:  # costs chosen on the Explore page
        result = prediction.add_decisions(model, result, rule)
        st.caption(
            "The decision column follows the costs set on the Explore page: "
            + escape_markdown(rule.sentence())
        )
    for column, values in unseen.items():
        st.info(escape_markdown(_unseen_note(column, values)))
    st.text(f"{plural(len(result), 'row')} predicted.")
    st.dataframe(result.head(SHOWN_ROWS), hide_index=True)
    if len(result) > SHOWN_ROWS:
        st.caption("The first 1,000 rows are shown; the download has them all.")
    predictions_download(result)
