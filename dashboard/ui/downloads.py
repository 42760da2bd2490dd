"""Download buttons: what a user takes away (model, script, report, CV table, predictions)."""

from __future__ import annotations

import streamlit as st

from dashboard.export import csv as files
from dashboard.ui import state


def _script_source(model, report):
    """The loaded table when it is still the model's (it tells the script each column's type)."""
    origin = state.origin_table(model)
    return origin if hasattr(origin, "report") else report


def model_downloads(model) -> None:
    """Download buttons for what a user takes away: model, script, report, CV table.

    Files are built only when a button is pressed, so reruns stay cheap.
    """
    from dashboard.export.model_file import save_model
    from dashboard.export.report import html_report
    from dashboard.export.script import reproducible_script

    origin = state.model_origin()
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(
        "Model (.skops)",
        lambda: save_model(model),
        file_name=files.MODEL_FILE_NAME,
        mime=files.MODEL_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="download_model",
        help="The fitted pipeline with class and feature names and the settings, in the safe "
        "skops format (no pickle). Load it back on the Predict page or with python -m dashboard.",
    )
    report = origin.get("report")
    c2.download_button(
        "Python script",
        lambda: reproducible_script(model, _script_source(model, report)),
        file_name=files.SCRIPT_FILE_NAME,
        mime=files.SCRIPT_MIME,
        on_click="ignore",
        icon=":material/code:",
        key="download_script",
        disabled=report is None,
        help="A standalone script (pandas and scikit-learn only) that re-reads the same CSV and "
        "reproduces this run's best C, cross-validation scores and held-out accuracy: "
        "python softmax-lab-run.py your.csv",
    )
    c3.download_button(
        "Report (HTML)",
        lambda: html_report(model, state.origin_table(model), decisions=state.decision_rule(model)),
        file_name=files.REPORT_FILE_NAME,
        mime=files.REPORT_MIME,
        on_click="ignore",
        icon=":material/description:",
        key="download_report",
        help="One self-contained page with the data summary, settings, every chart and metric; "
        "it opens offline.",
    )
    c4.download_button(
        "CV scores (CSV)",
        lambda: files.safe_csv_bytes(model.cv_results),
        file_name=files.CV_RESULTS_CSV_NAME,
        mime=files.CSV_MIME,
        on_click="ignore",
        icon=":material/table:",
        key="download_cv",
        help="Every C and fold with its accuracy and log-loss.",
    )
    if origin.get("sample"):
        from dashboard.samples import load_sample

        st.download_button(
            "The sample as CSV (to run the script on)",
            lambda: files.safe_csv_bytes(load_sample(origin["sample"])),
            file_name=f"{origin['sample']}.csv",
            mime=files.CSV_MIME,
            on_click="ignore",
            key="download_sample",
        )


def predictions_download(result) -> None:
    """The download button for a file's predictions (formula-safe CSV, built when pressed)."""
    st.download_button(
        "Download predictions (CSV)",
        lambda: files.safe_csv_bytes(result),
        file_name=files.PREDICTIONS_CSV_NAME,
        mime=files.CSV_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="download_predictions",
    )
