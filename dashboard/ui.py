"""The only Streamlit-aware module: session keys, cached wrappers, status, errors and guards."""

from __future__ import annotations

import functools
import logging
import string
import time
import uuid
from collections.abc import Callable

import streamlit as st

from dashboard.concurrency import TrainingGate
from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS

log = logging.getLogger("softmax_lab")

# Plain session keys (not widget keys: Streamlit drops those when their page is not shown).
TABLE = "table"  # dashboard.data.LoadedTable
PROFILE = "profile"  # dashboard.profile.TableProfile
MODEL = "model"  # dashboard.training.TrainedModel
SOURCE = "source"  # {"kind": "sample" | "upload", "key": ..., "name": ...}
UPLOAD_SEEN = "upload_seen"  # file_id of the last upload we parsed
CALC_FEED = (
    "calc_feed"  # {"logits": [...], "probabilities": [...], "truth": [...], "labels": [...]}
)
NOTICE = "notice"  # a one-off message to show after a rerun
MODEL_ORIGIN = "model_origin"  # {"name", "sha256", "report", "rows", "columns", "sample"}
SAVED_MODEL = "saved_model"  # dashboard.export.model_file.SavedModel uploaded on Predict
PREDICTIONS = "predictions"  # ((file_id, model id), predictions frame, unseen categories)
EXTRAS = "extras"  # per-model results computed once on first view (curves, calibration, ...)

DATA_PAGE = "pages/data.py"
TRAIN_PAGE = "pages/train.py"
EVALUATE_PAGE = "pages/evaluate.py"
PREDICT_PAGE = "pages/predict.py"
CALCULATORS_PAGE = "pages/calculators.py"

_PUNCTUATION = frozenset(string.punctuation)


def escape_markdown(text: object) -> str:
    """Return ``text`` so that Streamlit's markdown shows it literally.

    Every ASCII punctuation character gets a backslash (CommonMark's escape), which also
    defuses links, images, emphasis, HTML, Streamlit's ``:color[...]`` directives and ``$`` maths.
    Bare URLs, ``www.`` names and e-mail addresses, which GitHub-flavoured markdown links even
    when escaped, get a zero-width space. Line breaks become spaces so user text cannot start a
    heading or a list.

    Examples
    --------
    >>> escape_markdown("**bold** [x](y)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\]\\\\(y\\\\)'
    >>> "\\u200b" in escape_markdown("see http://x.invalid")
    True
    """
    # GFM turns bare URLs, www. names and e-mail addresses into links even when escaped:
    # a zero-width space breaks the pattern without changing what the reader sees.
    raw = str(text)
    for pattern, broken in (("://", ":\u200b//"), ("www.", "www\u200b."), ("@", "@\u200b")):
        raw = raw.replace(pattern, broken).replace(pattern.upper(), broken.upper())
    out = []
    for ch in raw:
        if ch in _PUNCTUATION:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def show_error(err: BaseException) -> None:
    """Show a user-fixable error as a red box (its text may quote the user's file, so escaped)."""
    st.error(escape_markdown(err), icon=":material/error:")


def log_unexpected(err: BaseException) -> str:
    """Log an unexpected error's traceback on the server under a new reference; return the ref."""
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error, reference %s", ref, exc_info=err)
    return ref


def show_apology(ref: str) -> None:
    """The short apology a user sees for a bug of ours, with the reference to quote."""
    st.error(
        f"Sorry, something went wrong on our side (reference {ref}). Your data and model are "
        "still here: try again, or reload the page. If it keeps happening, quote the reference.",
        icon=":material/sentiment_dissatisfied:",
    )


def show_unexpected(err: BaseException) -> str:
    """Log an unexpected error with a reference number and show a short apology; return the ref."""
    ref = log_unexpected(err)
    show_apology(ref)
    return ref


@st.cache_data(show_spinner=False, max_entries=8)
def sample_table(key: str):
    """A bundled sample as a loaded table (the same for every user, so shared globally)."""
    from dashboard.data import table_from_frame
    from dashboard.samples import SAMPLES, load_sample

    return table_from_frame(load_sample(key), name=SAMPLES[key].title)


def set_table(loaded, *, source: dict) -> None:
    """Make ``loaded`` the session's table; keep the trained model; reset choices tied to columns."""
    from dashboard.profile import profile

    prof = profile(loaded.table)
    st.session_state[TABLE] = loaded
    st.session_state[PROFILE] = prof
    st.session_state[SOURCE] = source
    for key in ("target", "features"):
        st.session_state.pop(key, None)


def load_sample_into_session(key: str) -> None:
    """Load a bundled sample into this session."""
    from dashboard.samples import SAMPLES

    set_table(sample_table(key), source={"kind": "sample", "key": key, "name": SAMPLES[key].title})


def ensure_default_data() -> None:
    """On a fresh session, load the default sample so the first screen shows something."""
    if TABLE not in st.session_state and SOURCE not in st.session_state:
        from dashboard.samples import DEFAULT_SAMPLE

        load_sample_into_session(DEFAULT_SAMPLE)


def require_table():
    """Return the session's loaded table, or explain what to do and stop the page."""
    loaded = st.session_state.get(TABLE)
    if loaded is None:
        st.info("No data is loaded yet. Upload a CSV or pick a sample on the Data page.")
        st.page_link(DATA_PAGE, label="Go to Data", icon=":material/table:")
        st.stop()
    return loaded


def model_or_hint():
    """Return the session's trained model, or say how to get one and return None."""
    model = st.session_state.get(MODEL)
    if model is None:
        st.info("No model is trained yet. Choose a target and train one on the Train page.")
        st.page_link(TRAIN_PAGE, label="Go to Train", icon=":material/model_training:")
    return model


def require_model():
    """Return the session's trained model, or explain what to do and stop the page."""
    model = model_or_hint()
    if model is None:
        st.stop()
    return model


def sidebar_status() -> None:
    """Which dataset is loaded and whether a model is trained, shown on every page."""
    loaded = st.session_state.get(TABLE)
    model = st.session_state.get(MODEL)
    with st.sidebar:
        st.caption("Dataset")
        if loaded is None:
            st.markdown("No data loaded")
        else:
            rows, cols = loaded.table.shape
            st.markdown(f"**{escape_markdown(loaded.name)}**  \n{rows:,} rows × {cols:,} columns")
        st.caption("Model")
        if model is None:
            st.markdown("Not trained yet")
        else:
            st.markdown(
                f"Trained: target **{escape_markdown(model.config.target)}**, "
                f"best C = {model.best_C:g}, held-out accuracy {model.evaluation.accuracy:.3f}"
            )
            origin = st.session_state.get(MODEL_ORIGIN, {})
            if loaded is not None and origin and origin.get("sha256") != loaded.sha256:
                st.caption(f"(trained on {escape_markdown(origin.get('name', ''))})")


@st.cache_resource
def training_gate() -> TrainingGate:
    """The server-wide gate: at most LIMITS.max_concurrent_trainings at once."""
    return TrainingGate(capacity=LIMITS.max_concurrent_trainings)


def _fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def _browser_connected() -> bool:
    """Whether this session's browser is still connected (True outside a server, e.g. AppTest)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return True
    return runtime.get_instance().is_active_session(ctx.session_id)


def train_with_progress(loaded, config):
    """Train in this session with a progress bar, queued behind other sessions if needed.

    Returns the trained model. A user's Stop (any rerun) interrupts it at the next progress
    update, so the previous model stays in place.
    """
    from dashboard import training

    bar = st.progress(0.0, text="Starting…")
    clock = st.empty()
    started = time.monotonic()

    def on_wait(ahead: int) -> None:
        if not _browser_connected():
            raise training.TrainingStopped("the browser left while queued")
        bar.progress(0.0, text=f"Queued, {ahead} ahead of you. Training starts by itself.")

    def on_progress(p) -> None:
        where = ""
        if p.C is not None:
            where = f": C = {p.C:g}" + (f", fold {p.fold + 1}" if p.fold is not None else "")
        bar.progress(
            min(p.done / max(p.total, 1), 1.0),
            text=f"Fit {p.done} of {p.total}{where}. {_fmt_seconds(p.elapsed)} elapsed, "
            f"about {_fmt_seconds(p.remaining)} left.",
        )

    def should_stop() -> bool:
        # Touching an element lets Streamlit interrupt this run if the user pressed Stop.
        clock.caption(f"Elapsed {time.monotonic() - started:.0f} s")
        # A closed tab leaves its session (and this run) alive for a while: stop its training.
        return not _browser_connected()

    with training_gate().slot(on_wait=on_wait):
        model = training.train(
            loaded.table,
            config,
            on_progress=on_progress,
            should_stop=should_stop,
            data_sha256=loaded.sha256,
            table_profile=st.session_state.get(PROFILE),  # set with the table: not profiled again
        )
    bar.progress(1.0, text=f"Done in {_fmt_seconds(time.monotonic() - started)}.")
    clock.empty()
    return model


def fragment(func: Callable[..., None]) -> Callable[..., None]:
    """``st.fragment`` with the same guard as a page (fragments catch their own exceptions)."""

    @functools.wraps(func)
    def run(*args, **kwargs) -> None:
        try:
            func(*args, **kwargs)
        except SoftmaxLabError as err:
            show_error(err)
        except Exception as err:  # noqa: BLE001 - the last line of defence for the user
            show_unexpected(err)

    return st.fragment(run)


def guarded(run: Callable[[], None]) -> None:
    """Run a page: user errors become a red box, anything else an apology with a reference."""
    try:
        run()
    except SoftmaxLabError as err:
        show_error(err)
    except Exception as err:  # noqa: BLE001 - the last line of defence for the user
        show_unexpected(err)


def remember_model(model, loaded) -> None:
    """Store a freshly trained model with a note of the data it came from (not a second copy)."""
    source = st.session_state.get(SOURCE, {})
    st.session_state[MODEL] = model
    st.session_state.pop(PREDICTIONS, None)  # keyed by id(model): the old one may be freed
    st.session_state[MODEL_ORIGIN] = {
        "name": loaded.name,
        "sha256": loaded.sha256,
        "report": loaded.report,
        "rows": int(loaded.table.shape[0]),
        "columns": int(loaded.table.shape[1]),
        "sample": source.get("key") if source.get("kind") == "sample" else None,
    }


def _origin_table(model):
    """The loaded table the model was trained on, if it is still the session's table."""
    loaded = st.session_state.get(TABLE)
    origin = st.session_state.get(MODEL_ORIGIN, {})
    if loaded is not None and loaded.sha256 == origin.get("sha256") == model.data_sha256:
        return loaded
    return {k: origin[k] for k in ("name", "rows", "columns", "sha256") if k in origin} or None


def _script_source(model, report):
    """The loaded table when it is still the model's (it tells the script each column's type)."""
    origin = _origin_table(model)
    return origin if hasattr(origin, "report") else report


def model_downloads(model) -> None:
    """Download buttons for what a user takes away: model, script, report, CV table.

    Files are built only when a button is pressed, so reruns stay cheap.
    """
    from dashboard.export import csv as files
    from dashboard.export.model_file import save_model
    from dashboard.export.report import html_report
    from dashboard.export.script import reproducible_script

    origin = st.session_state.get(MODEL_ORIGIN, {})
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
        lambda: html_report(model, _origin_table(model)),
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


def send_to_calculators(*, logits, probabilities, truth, labels) -> None:
    """Fill the Calculators' inputs with a row's numbers and open that page."""
    fmt = ", ".join
    st.session_state[CALC_FEED] = {"labels": [str(x) for x in labels]}
    st.session_state["logits"] = fmt(f"{v:.6g}" for v in logits)
    st.session_state["entropy_p"] = fmt(f"{v:.6g}" for v in probabilities)
    st.session_state["cross_q"] = fmt(f"{v:.6g}" for v in probabilities)
    if truth is not None:
        st.session_state["cross_p"] = fmt("1" if str(c) == str(truth) else "0" for c in labels)
    st.switch_page(CALCULATORS_PAGE)


def explain_row_view(model, exp) -> None:
    """Show one row's journey: values, logits and their contributions, softmax, its loss."""
    import pandas as pd

    from dashboard import figures, information

    classes = list(exp.classes)
    st.markdown("##### 1. The values the model sees")
    st.caption(
        "Numbers are filled in if missing and standardised, x = (value − mean) / std, with the "
        "mean and std of the training rows; a category becomes a 1 in its own column."
    )
    left, right = st.columns(2)
    left.dataframe(
        pd.DataFrame({"column": exp.raw.index.astype(str), "value": exp.raw.astype(str).values}),
        hide_index=True,
    )
    right.dataframe(
        pd.DataFrame({"model input": list(exp.feature_names), "x": exp.x}), hide_index=True
    )

    st.markdown("##### 2. One score per class: the logit")
    st.latex(r"z_k = w_k \cdot x + b_k = \sum_j w_{kj} x_j + b_k")
    predicted = int(exp.probabilities.argmax())
    chosen = st.selectbox(
        "Break down the logit of",
        classes,
        index=predicted,
        key="explain_class",
        help="Each bar is one input's weight times its value; with the intercept they add up "
        "to the logit.",
    )
    k = classes.index(chosen)
    st.plotly_chart(
        figures.logit_contributions_figure(
            exp.contributions[k],
            list(exp.feature_names),
            float(exp.intercepts[k]),
            class_name=chosen,
        ),
        key="logit_contributions",
    )
    st.dataframe(pd.DataFrame({"class": classes, "logit z": exp.logits}), hide_index=True)
    with st.expander("What am I looking at?"):
        st.markdown(
            "Each class has one weight per model input (w) and an intercept (b). A bar is one "
            "input's weight times its value, w·x: green pushes this class's score up, red "
            "pushes it down. The last bar is their sum, the logit z. The class with the largest "
            "logit gets the largest probability."
        )

    st.markdown("##### 3. Softmax turns the logits into probabilities")
    st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
    temperature = st.slider(
        "Temperature T",
        0.1,
        5.0,
        1.0,
        0.1,
        key="explain_temperature",
        persist_state="session",
        help="The model uses T = 1. Lower T sharpens the probabilities, higher T flattens them; "
        "the ranking of the classes never changes.",
    )
    p_t = information.softmax(exp.logits, temperature=temperature)
    st.plotly_chart(
        figures.softmax_bars_figure(exp.logits, p_t, labels=classes, temperature=temperature),
        key="explain_softmax",
    )
    st.plotly_chart(
        figures.probability_bars_figure(exp.probabilities, classes, true_label=exp.true_label),
        key="row_probabilities",
    )

    st.markdown("##### 4. How wrong is it? The row's cross-entropy")
    for sentence in exp.sentences(holdout_log_loss=model.evaluation.log_loss):
        st.markdown(escape_markdown(sentence))
    if st.button(
        "Open these numbers in the Calculators", key="to_calculators", icon=":material/calculate:"
    ):
        send_to_calculators(
            logits=exp.logits,
            probabilities=exp.probabilities,
            truth=exp.true_label,
            labels=classes,
        )


def model_extras(model) -> dict:
    """Per-model results the pages show, computed once on first view and kept in the session.

    Curves, calibration, the temperature table and the one-standard-error choice depend only on
    the trained model, so reruns (a slider, a click) never recompute them.
    """
    extras = st.session_state.get(EXTRAS)
    if extras is not None and extras.get("model") is model:
        return extras
    classes = list(model.classes)
    with st.spinner("Preparing the charts (once per model)…"):
        extras = _compute_extras(model, classes)
    st.session_state[EXTRAS] = extras
    return extras


def _compute_extras(model, classes: list[str]) -> dict:
    from dashboard import evaluation

    return {
        "model": model,
        "one_se": evaluation.one_standard_error_C(model.cv_results, best_C=model.best_C),
        "roc": evaluation.roc_curves(model.y_test, model.test_proba, classes),
        "pr": evaluation.precision_recall_curves(model.y_test, model.test_proba, classes),
        "temperature": evaluation.temperature_effect(model.test_logits, model.y_test, classes),
        "best_temperature": evaluation.best_temperature(model.test_logits, model.y_test, classes),
    }


def once(model, key: tuple, build: Callable[[], object], *, keep: int = 64):
    """Build something the pages show (a figure, a table) once per model and key, then reuse it.

    Reruns caused by a click or a slider then only send what was already built. At most ``keep``
    results per model are kept, the oldest dropped first.
    """
    memo = model_extras(model).setdefault("memo", {})
    if key not in memo:
        memo[key] = build()
        while len(memo) > keep:
            memo.pop(next(iter(memo)))
    return memo[key]


def calibration_at(model, temperature: float):
    """The reliability data of the held-out rows at one temperature (memoised per model)."""
    from dashboard import evaluation

    t = round(float(temperature), 4)
    return once(
        model,
        ("calibration", t),
        lambda: evaluation.calibration(
            model.y_test, evaluation.scale_temperature(model.test_logits, t), list(model.classes)
        ),
    )


def compute_weight_comparison(model) -> None:
    """Run the class-weight what-if for this model (training work, so behind a button)."""
    from dashboard import evaluation, training

    loaded = st.session_state.get(TABLE)
    origin = st.session_state.get(MODEL_ORIGIN, {})
    if loaded is None or loaded.sha256 != origin.get("sha256"):
        raise SoftmaxLabError(
            "The data this model was trained on is no longer loaded",
            hint="Load it again on the Data page, or train on the current data.",
        )
    with st.spinner("Training the same folds with both class weightings…"):
        y_true, none, balanced = training.class_weight_what_if(
            loaded.table, model, table_profile=st.session_state.get(PROFILE)
        )
    model_extras(model)["weights"] = evaluation.compare_class_weights(
        y_true, none, balanced, list(model.classes)
    )
