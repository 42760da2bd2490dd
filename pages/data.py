"""Data: upload a CSV or pick a sample; see the load report, a preview and a profile of every column."""

import streamlit as st

from dashboard import ui
from dashboard.data import LoadOptions, load_csv
from dashboard.errors import SoftmaxLabError
from dashboard.samples import SAMPLES

st.title("Data")
st.caption(
    "Bring a CSV file, or start from a bundled sample. Each row is one example; one column "
    "is what you want to predict (the target), the others describe it (the features)."
)

source = st.session_state.get(ui.SOURCE, {})
if source.get("kind") != "sample":
    st.session_state["sample"] = None  # an upload replaced the sample: it can be picked again
left, right = st.columns([2, 1])
with right:
    keys = list(SAMPLES)
    st.selectbox(
        "Or pick a sample",
        keys,
        index=keys.index(source["key"]) if source.get("kind") == "sample" else None,
        format_func=lambda k: SAMPLES[k].title,
        key="sample",
        placeholder="Choose a sample dataset",
        help="Datasets that ship with scikit-learn; nothing is downloaded.",
        on_change=lambda: (
            ui.load_sample_into_session(st.session_state["sample"])
            if st.session_state.get("sample")
            else None
        ),
    )
    if source.get("kind") == "sample":
        st.caption(SAMPLES[source["key"]].description)

with left:
    upload = st.file_uploader(
        "Upload a CSV file",
        type=None,
        key="upload",
        help="Comma, semicolon, tab or pipe separated; any common encoding. "
        "The file stays in your session only.",
    )
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
    options = LoadOptions(
        delimiter=None if sep == "detect" else sep,
        decimal=None if decimal == "detect" else decimal,
        encoding=None if encoding == "detect" else encoding,
        header_row=None if header is None else int(header),
        skip_bad_lines=skip_bad,
    )

if upload is not None:
    signature = (upload.file_id, options)
    if st.session_state.get(ui.UPLOAD_SEEN) != signature:
        st.session_state[ui.UPLOAD_SEEN] = signature
        try:
            loaded = load_csv(upload.getvalue(), name=upload.name, options=options)
        except SoftmaxLabError as err:  # shown to the user; the previous table stays
            st.session_state[ui.NOTICE] = err
        except Exception as err:  # noqa: BLE001 - logged once, its reference shown on reruns
            st.session_state[ui.NOTICE] = ui.log_unexpected(err)
        else:
            st.session_state.pop(ui.NOTICE, None)
            ui.set_table(loaded, source={"kind": "upload", "name": upload.name})
            st.rerun()

notice = st.session_state.get(ui.NOTICE)
if notice is not None and upload is not None:
    if isinstance(notice, SoftmaxLabError):
        ui.show_error(notice)
    else:
        ui.show_apology(notice)
    if st.session_state.get(ui.TABLE) is not None:
        st.caption("The data you had before is still loaded.")

loaded = ui.require_table()
profile = st.session_state[ui.PROFILE]
table = loaded.table

st.subheader(ui.escape_markdown(loaded.name))
m1, m2, m3 = st.columns(3)
m1.metric("Rows", f"{table.shape[0]:,}")
m2.metric("Columns", f"{table.shape[1]:,}")
m3.metric(
    "Usable columns",
    f"{sum(c.can_be_feature for c in profile.columns):,}",
    help="Columns that can describe a row (a feature) or be predicted (the target).",
)

warnings = list(loaded.report.warnings)
sentences = [s for s in loaded.report.sentences() if s not in warnings]  # warnings shown below
if sentences:
    with st.expander("How the file was read", expanded=bool(warnings)):
        for sentence in sentences:
            st.text(sentence)
for warning in warnings:
    st.warning(ui.escape_markdown(warning), icon=":material/warning:")

st.subheader("Preview")
page_size = 100
pages = max(1, -(-len(table) // page_size))
page = st.number_input(f"Page (of {pages:,})", 1, pages, 1, key="preview_page") if pages > 1 else 1
start = (page - 1) * page_size
st.dataframe(table.iloc[start : start + page_size])

st.subheader("Columns")
st.caption(
    "What each column holds, and whether it can describe a row (feature) or be predicted "
    "(target). Columns that cannot be used say why."
)
st.dataframe(profile.as_records(), hide_index=True)
st.page_link(ui.TRAIN_PAGE, label="Next: train a model", icon=":material/arrow_forward:")
