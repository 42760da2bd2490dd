"""Data: upload a CSV or pick a sample; see the load report, a preview and a profile of every column."""

import streamlit as st

from dashboard.ui import paths, state, urls
from dashboard.ui.guards import require_table
from dashboard.ui.text import escape_markdown
from dashboard.ui.views.data_source import (
    column_profile,
    read_upload,
    reading_options,
    sample_picker,
    upload_notice,
)
from dashboard.words import plural

st.title("Data")
st.caption(
    "Bring a CSV file, or start from a bundled sample. Each row is one example; one column "
    "is what you want to predict (the target), the others describe it (the features)."
)

left, right = st.columns([2, 1])
with right:
    sample_picker()
with left:
    upload = st.file_uploader(
        "Upload a CSV file",
        type=None,
        key="upload",
        help="Comma, semicolon, tab or pipe separated; any common encoding. "
        "The file stays in your session only.",
    )
    options = reading_options()
if upload is not None:
    read_upload(upload, options)
    upload_notice()
waiting = urls.waiting_file()
if waiting is not None:
    st.info(
        f"This link was made with the file “{escape_markdown(waiting)}”. Upload it again to "
        "restore its target and settings.",
        icon=":material/upload_file:",
    )

loaded = require_table()
profile = state.profile()
table = loaded.table

st.subheader(escape_markdown(loaded.name))
rows, columns = table.shape
usable = sum(c.can_be_feature for c in profile.columns)
st.caption(
    f"{plural(rows, 'row')} × {plural(columns, 'column')}; "
    f"{plural(usable, 'column')} can describe a row (a feature) or be predicted (the target)."
)

warnings = list(loaded.report.warnings)
sentences = [s for s in loaded.report.sentences() if s not in warnings]  # warnings shown below


def how_the_file_was_read() -> None:
    with st.expander("How the file was read", expanded=bool(warnings)):
        for sentence in sentences:
            st.text(sentence)


if sentences and warnings:  # something to look at first: above the columns
    how_the_file_was_read()
for warning in warnings:
    st.warning(escape_markdown(warning), icon=":material/warning:")

st.subheader("Columns")
st.caption(
    "What each column holds, and whether it can describe a row (feature) or be predicted "
    "(target). Columns that cannot be used say why."
)
column_profile(loaded, profile)
if sentences and not warnings:
    how_the_file_was_read()

st.subheader("Preview")
page_size = 100
pages = max(1, -(-len(table) // page_size))
page = st.number_input(f"Page (of {pages:,})", 1, pages, 1, key="preview_page") if pages > 1 else 1
start = (page - 1) * page_size
st.dataframe(table.iloc[start : start + page_size], height=300)
st.page_link(paths.TRAIN_PAGE, label="Next: train a model", icon=":material/arrow_forward:")
