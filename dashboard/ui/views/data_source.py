"""The Data page's sections: the sample picker, the upload with its options and errors, the profile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.concurrency import load_estimate
from dashboard.data import LoadOptions, load_csv
from dashboard.errors import SoftmaxLabError
from dashboard.figures import class_balance_figure
from dashboard.profile import KIND_WORDS, distributions, plain_table
from dashboard.samples import SAMPLES
from dashboard.ui import state
from dashboard.ui.display import plotly_chart
from dashboard.ui.guards import log_unexpected, show_apology, show_error
from dashboard.ui.text import escape_markdown

UPLOADER_KEY = "upload"  # the Data page's st.file_uploader
LOAD_WAIT_SECONDS = 120  # how long a load waits for memory before it is refused
PROFILE_VIEW = "profile_view"  # (table id, plain profile table, distributions): once per table


def sample_picker() -> None:
    """The sample selectbox: picking one loads it; an upload that replaced it clears it."""
    source = state.source()
    is_sample = source.get("kind") == "sample"
    if not is_sample:
        st.session_state["sample"] = None  # an upload replaced the sample: it can be picked again
    keys = list(SAMPLES)
    st.selectbox(
        "Or pick a sample",
        keys,
        index=keys.index(source["key"]) if is_sample else None,
        format_func=lambda k: SAMPLES[k].title,
        key="sample",
        placeholder="Choose a sample dataset",
        help="Datasets that ship with scikit-learn; nothing is downloaded.",
        on_change=lambda: (
            state.load_sample_into_session(st.session_state["sample"])
            if st.session_state.get("sample")
            else None
        ),
    )
    if is_sample:
        st.caption(SAMPLES[source["key"]].description)


def reading_options() -> LoadOptions:
    """The expander where a user overrides what the loader detects."""
    with st.expander("Reading options (change what was detected)"):
        c1, c2, c3 = st.columns(3)
        sep = c1.selectbox(
            "Separator",
            ["detect", ",", ";", "\t", "|"],
            format_func=lambda s: {"\t": "tab", "detect": "detect"}.get(s, s),
            key="opt_sep",
            persist_state="session",
        )
        decimal = c2.selectbox(
            "Decimal mark", ["detect", ".", ","], key="opt_decimal", persist_state="session"
        )
        encoding = c3.selectbox(
            "Encoding",
            ["detect", "utf-8", "utf-16", "cp1252", "latin-1"],
            key="opt_encoding",
            persist_state="session",
        )
        c4, c5 = st.columns(2)
        header = c4.number_input(
            "Header row (line number, 0 = first line; -1 = no header; blank = detect)",
            min_value=-1,
            value=None,
            step=1,
            key="opt_header",
            persist_state="session",
        )
        skip_bad = c5.checkbox(
            "Skip rows that do not fit (wrong number of fields)",
            key="opt_skip_bad",
            persist_state="session",
        )
    return LoadOptions(
        delimiter=None if sep == "detect" else sep,
        decimal=None if decimal == "detect" else decimal,
        encoding=None if encoding == "detect" else encoding,
        header_row=None if header is None else int(header),
        skip_bad_lines=skip_bad,
    )


def read_upload(upload, options: LoadOptions) -> None:
    """Load an upload once per file and options; on success it becomes the table (and reruns).

    A failed upload leaves the previous table in place; its error (or, for a bug of ours,
    the logged reference) is kept to show on every rerun while the file stays selected.
    """
    signature = (upload.file_id, options)
    if st.session_state.get(state.UPLOAD_SEEN) == signature:
        return
    st.session_state[state.UPLOAD_SEEN] = signature
    try:
        with (
            st.spinner("Reading the file (a large one may wait its turn for the server's memory)…"),
            state.memory_budget().reserve(
                load_estimate(upload.size),
                timeout=LOAD_WAIT_SECONDS,
                what=f"reading this {upload.size / 2**20:,.0f} MB file",
            ),
        ):
            loaded = load_csv(upload.getvalue(), name=upload.name, options=options)
    except SoftmaxLabError as err:  # shown to the user; the previous table stays
        st.session_state[state.NOTICE] = err
    except Exception as err:  # noqa: BLE001 - logged once, its reference shown on reruns
        st.session_state[state.NOTICE] = log_unexpected(err)
    else:
        st.session_state.pop(state.NOTICE, None)
        state.set_table(loaded, source={"kind": "upload", "name": upload.name})
        _drop_upload_bytes(upload, key=UPLOADER_KEY)
        st.rerun()


def _drop_upload_bytes(upload, *, key: str) -> None:
    """Free the server's copy of an upload once it is a table: one copy of the data per session.

    Streamlit keeps an upload's bytes for the session's life (its uploaded-file manager, and
    the widget's value); the table and its SHA-256 are all the app needs afterwards. Reading
    options changed later apply to the next upload of the file.
    """
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    if isinstance(manager, MemoryUploadedFileManager):  # as st.chat_input drops its files
        manager.remove_file(session_id=ctx.session_id, file_id=upload.file_id)
    upload.close()  # the UploadedFile (a BytesIO) lets go of the bytes
    st.session_state.pop(key, None)  # and so does the widget's value (another UploadedFile)


def upload_notice() -> None:
    """The last upload's error, or our apology, while its file is still selected."""
    notice = st.session_state.get(state.NOTICE)
    if notice is None:
        return
    if isinstance(notice, SoftmaxLabError):
        show_error(notice)
    else:
        show_apology(notice)
    if state.table() is not None:
        st.caption("The data you had before is still loaded.")


def _profile_view(loaded, table_profile):
    """The plain profile table and distributions of the loaded table, made once per table."""
    memo = st.session_state.get(PROFILE_VIEW)
    if memo is None or memo[0] != state.table_id():
        with st.spinner("Drawing each column's distribution (once per table)…"):
            found = distributions(loaded.table, table_profile)
        memo = (state.table_id(), plain_table(table_profile, found), found)
        st.session_state[PROFILE_VIEW] = memo
    return memo[1], memo[2]


_COLUMN_CONFIG = {
    "Column": st.column_config.TextColumn(pinned=True),
    "Kind": st.column_config.TextColumn(
        help="number, category, yes/no, date, free text, identifier, one value only, or empty"
    ),
    "Used as a feature?": st.column_config.TextColumn(
        help="Whether the model can use this column to describe a row (the default choice)."
    ),
    "Why not": st.column_config.TextColumn(
        width="medium", help="Select a row to read the reasons whole below the table."
    ),
    "Turns into": st.column_config.TextColumn(
        width="medium",
        help="What the model gets from the column: numbers, 0/1 inputs per "
        "category, a date's parts, or the words of free text.",
    ),
    "Could be the target?": st.column_config.TextColumn(
        help="Whether this column could be predicted: it needs a few distinct values (classes)."
    ),
    "Why not the target": st.column_config.TextColumn(width="medium"),
    "Missing": st.column_config.ProgressColumn(
        format="percent", min_value=0.0, max_value=1.0, help="The share of rows with no value."
    ),
    "Distinct": st.column_config.NumberColumn(format="localized", help="Different values."),
    "Distribution": st.column_config.BarChartColumn(
        y_min=0,
        help="Numbers: a histogram. Categories: the most frequent values. Dates: rows over "
        "time. Free text: its length in words. Identifiers: none.",
    ),
    "Values": st.column_config.TextColumn(
        width="medium", help="Range and median, or the most frequent values with their counts."
    ),
}


def column_profile(loaded, table_profile) -> None:
    """Every column's kind, use, missing share and distribution; a selected row in detail.

    The likeliest target's classes are listed below with their rows and share, as a table with
    bars: the first page needs no chart library (Plotly's script is 4.6 MB, and a new browser
    session spent about 0.15 s reading it before the page was drawn).
    """
    frame, found = _profile_view(loaded, table_profile)
    event = st.dataframe(
        frame,
        hide_index=True,
        column_config=_COLUMN_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key="profile_table",
        row_height=40,
    )
    picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if picked and 0 <= picked[0] < len(table_profile.columns):
        _column_detail(
            table_profile.columns[picked[0]], found.get(table_profile.columns[picked[0]].name)
        )
    else:
        st.caption(
            "Select a row (the box at its left) to read its reasons whole and see its chart."
        )
    target = table_profile.likeliest_target()
    if target is not None and target in found and found[target].counts:
        shown = found[target]
        st.subheader("How the classes are balanced")
        scope = (
            ""
            if shown.rows == table_profile.rows - table_profile[target].missing
            else (f" (a random sample of {shown.rows:,} rows)")
        )
        st.caption(
            f"Rows per class of {escape_markdown(target)}, the likeliest target{scope}. "
            "A class with few rows is hard to learn and to score."
        )
        st.dataframe(
            _class_balance_frame(shown.counts, shown.labels),
            hide_index=True,
            column_config=_BALANCE_CONFIG,
            width="content",
        )


_BALANCE_CONFIG = {
    "Class": st.column_config.TextColumn(pinned=True),
    "Rows": st.column_config.NumberColumn(format="localized"),
    "Share": st.column_config.ProgressColumn(
        format="percent", min_value=0.0, max_value=1.0, help="The share of the rows counted."
    ),
}


def _class_balance_frame(counts, labels) -> pd.DataFrame:
    """One row per class (as given, largest first): its name as text, its rows, its share."""
    rows = np.asarray(counts, dtype=np.int64)
    return pd.DataFrame(
        {
            "Class": [str(label) for label in labels],
            "Rows": rows,
            "Share": rows / rows.sum() if rows.sum() else np.zeros(len(rows)),
        }
    )


def _column_detail(column, shown) -> None:
    with st.container(border=True):
        st.markdown(
            f"**{escape_markdown(column.name)}**: {KIND_WORDS.get(column.kind, column.kind)}"
        )
        if column.can_be_feature:
            st.text(f"Used as a feature: yes. It turns into {column.turns_into}.")
        else:
            st.text(f"Not used as a feature: {column.feature_reason}.")
        if column.can_be_target:
            st.text("Could be the target: yes.")
        else:
            st.text(f"Not a possible target: {column.target_reason}.")
        if shown is not None and shown.counts:
            st.text(f"Values: {shown.summary}")
            plotly_chart(
                class_balance_figure(shown.counts, shown.labels),
                key="column_detail",
                width="stretch",
            )
