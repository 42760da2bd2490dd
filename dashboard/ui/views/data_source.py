"""The Data page's sources: the sample picker, the upload with its reading options, its errors."""

from __future__ import annotations

import streamlit as st

from dashboard.data import LoadOptions, load_csv
from dashboard.errors import SoftmaxLabError
from dashboard.samples import SAMPLES
from dashboard.ui import state
from dashboard.ui.guards import log_unexpected, show_apology, show_error


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
        loaded = load_csv(upload.getvalue(), name=upload.name, options=options)
    except SoftmaxLabError as err:  # shown to the user; the previous table stays
        st.session_state[state.NOTICE] = err
    except Exception as err:  # noqa: BLE001 - logged once, its reference shown on reruns
        st.session_state[state.NOTICE] = log_unexpected(err)
    else:
        st.session_state.pop(state.NOTICE, None)
        state.set_table(loaded, source={"kind": "upload", "name": upload.name})
        st.rerun()


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
