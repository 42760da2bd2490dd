"""Shareable links: the page and the setup (data, target, features, C grid, folds, ...) in the URL.

A link names the page by a parameter, not by the path (a fresh session opened on ``/train``
runs that page script without the app around it), and the setup in the rest of its query::

    /?page=train&sample=iris&target=species&c=0.01,0.1,1,10&folds=5&test=0.2&seed=0

:func:`parse_setup` and :func:`setup_params` are pure (no Streamlit): bad values in a link are
left out with a note, never an exception. The rest connects them to the session: a fresh session
restores a link's setup (:func:`restore_from_link`), the Train page takes it once its data is
loaded (:func:`apply_link_setup`), every run writes the current choices back into the URL
(:func:`sync_link`) and the sidebar shows the link to copy (:func:`share_link`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import urlencode, urlsplit, urlunsplit

from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS
from dashboard.ui import paths

# The pages by the name a link gives them: "train" -> "app_pages/train.py".
PAGES = {
    PurePosixPath(path).stem: path
    for name, path in vars(paths).items()
    if name.endswith("_PAGE") and isinstance(path, str)
}

FOLDS = (2, 10)  # the Train page's fold slider
TEST_SHARE = (0.1, 0.5, 0.05)  # the held-out share slider: low, high, step
SEED = (0, 2**31 - 1)
MAX_TEXT = 200  # a file or column name longer than this is not one of ours

# Widget keys of the Train page that a link sets (the page's own keys, written before its widgets).
TARGET, FEATURES, C_GRID, CV_FOLDS, TEST_SIZE, SEED_KEY, CLASS_WEIGHT = (
    "target",
    "features",
    "c_grid",
    "cv_folds",
    "test_size",
    "seed",
    "class_weight",
)
PENDING = "link_setup"  # a Setup from the URL, waiting for its data
NOTES = "link_notes"  # what a link asked for that could not be used
RESTORED = "link_restored"  # the session has read its first URL
PENDING_TABLE = "link_table_id"  # the table loaded while the link waited for its own data


@dataclass(frozen=True, kw_only=True)
class Setup:
    """What a link asks for; ``None`` where it says nothing."""

    page: str | None = None
    sample: str | None = None
    file: str | None = None
    target: str | None = None
    features: tuple[str, ...] | None = None
    c_grid: str | None = None
    folds: int | None = None
    test_size: float | None = None
    seed: int | None = None
    balanced: bool | None = None

    @property
    def settings(self) -> dict:
        """The Train page's widget values this setup gives, by widget key (target excepted)."""
        values = {
            C_GRID: self.c_grid,
            CV_FOLDS: self.folds,
            TEST_SIZE: self.test_size,
            SEED_KEY: self.seed,
            CLASS_WEIGHT: self.balanced,
        }
        return {key: value for key, value in values.items() if value is not None}


def _one(params: Mapping, key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _all(params: Mapping, key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def parse_setup(params: Mapping, *, samples: Collection[str]) -> tuple[Setup, list[str]]:
    """Read a link's query parameters; what cannot be used is left out with a note.

    Parameters
    ----------
    params : mapping
        Query parameter -> value, or list of values (``features`` may repeat).
    samples : collection of str
        The keys of the bundled samples.

    Returns
    -------
    (Setup, list of str)
        The setup, and one plain sentence per value that was ignored.

    Examples
    --------
    >>> setup, notes = parse_setup(
    ...     {"sample": "iris", "target": "species", "c": "1,0.1", "folds": "3", "test": "0.25"},
    ...     samples=["iris"],
    ... )
    >>> setup.sample, setup.target, setup.c_grid, setup.folds, setup.test_size, notes
    ('iris', 'species', '0.1, 1', 3, 0.25, [])
    >>> setup, notes = parse_setup({"folds": "99", "seed": "x", "sample": "nope"}, samples=["iris"])
    >>> setup.folds, setup.seed, setup.sample
    (None, None, None)
    >>> notes[0]
    'The link asks for a sample called “nope”; there is none, so it was ignored.'
    """
    notes: list[str] = []
    found: dict = {}

    for name, known in (("page", PAGES), ("sample", samples)):
        value = _one(params, name)
        if value is None:
            continue
        if value in known:
            found[name] = value
        else:
            notes.append(
                f"The link asks for a {name} called “{value[:40]}”; there is none, so it was "
                "ignored."
            )
    file = _one(params, "file")
    if file is not None and "sample" not in found:
        if 0 < len(file) <= MAX_TEXT:
            found["file"] = file
        else:
            notes.append("The link's file name is empty or too long, so it was ignored.")
    target = _one(params, "target")
    if target is not None:
        if 0 < len(target) <= MAX_TEXT:
            found["target"] = target
        else:
            notes.append("The link's target is empty or too long, so it was ignored.")
    features = _all(params, "features")
    if features:
        kept = tuple(dict.fromkeys(f for f in features if 0 < len(f) <= MAX_TEXT))
        if len(kept) <= LIMITS.max_columns:
            found["features"] = kept
        else:
            notes.append(
                "The link lists more features than a table may have, so they were ignored."
            )
    c_text = _one(params, "c")
    if c_text is not None:
        try:
            grid = _parse_c(c_text)
        except SoftmaxLabError as err:
            notes.append(f"The link's values of C were ignored: {err.message}")
        else:
            found["c_grid"] = ", ".join(f"{c:g}" for c in grid)
    whole = _whole(params, "folds", FOLDS, "cross-validation folds", notes)
    if whole is not None:
        found["folds"] = whole
    seed = _whole(params, "seed", SEED, "seed", notes)
    if seed is not None:
        found["seed"] = seed
    share = _share(params, notes)
    if share is not None:
        found["test_size"] = share
    weights = _one(params, "weights")
    if weights is not None:
        if weights in ("balanced", "none"):
            found["balanced"] = weights == "balanced"
        else:
            notes.append(
                f"The link's class weights “{weights[:40]}” are neither “balanced” nor “none”, "
                "so they were ignored."
            )
    return Setup(**found), notes


def _parse_c(text: str) -> tuple[float, ...]:
    from dashboard.training import parse_c_grid

    if len(text) > 400:
        raise SoftmaxLabError("the list is too long", where="link")
    return parse_c_grid(text)


def _whole(params, key, bounds, what, notes) -> int | None:
    text = _one(params, key)
    if text is None:
        return None
    low, high = bounds
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        notes.append(
            f"The link's {what} “{text[:40]}” is not a whole number from {low:,} to {high:,}, "
            "so it was ignored."
        )
        return None
    return value


def _share(params, notes) -> float | None:
    text = _one(params, "test")
    if text is None:
        return None
    low, high, step = TEST_SHARE
    try:
        value = float(text.strip())
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also false for nan
        notes.append(
            f"The link's held-out share “{text[:40]}” is not a number from {low:g} to {high:g}, "
            "so it was ignored."
        )
        return None
    return round(round(value / step) * step, 2)


def setup_params(setup: Setup) -> dict[str, str | list[str]]:
    """The query parameters of ``setup``, in a fixed order (what :func:`parse_setup` reads).

    Examples
    --------
    >>> setup_params(Setup(sample="iris", target="species", c_grid="0.1, 1", folds=5, balanced=False))
    {'sample': 'iris', 'target': 'species', 'c': '0.1,1', 'folds': '5', 'weights': 'none'}
    """
    out: dict[str, str | list[str]] = {}
    if setup.page is not None:
        out["page"] = setup.page
    if setup.sample is not None:
        out["sample"] = setup.sample
    elif setup.file is not None:
        out["file"] = setup.file
    if setup.target is not None:
        out["target"] = setup.target
    if setup.features is not None:
        out["features"] = list(setup.features)
    if setup.c_grid is not None:
        out["c"] = setup.c_grid.replace(" ", "")
    if setup.folds is not None:
        out["folds"] = str(setup.folds)
    if setup.test_size is not None:
        out["test"] = f"{setup.test_size:g}"
    if setup.seed is not None:
        out["seed"] = str(setup.seed)
    if setup.balanced is not None:
        out["weights"] = "balanced" if setup.balanced else "none"
    return out


def link_base(url: str | None, page: str | None) -> str | None:
    """The app's address from the page's address in the browser (the page's own path removed).

    Examples
    --------
    >>> link_base("http://host:8501/train", "train"), link_base("https://h/lab/train", "train")
    ('http://host:8501/', 'https://h/lab/')
    >>> link_base("http://host:8501/", ""), link_base(None, "train")
    ('http://host:8501/', None)
    """
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    if page and path.rstrip("/").endswith("/" + page):
        path = path.rstrip("/")[: -len(page)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def link_text(base: str | None, params: Mapping[str, str | Sequence[str]]) -> str:
    """The link: ``base`` (the page's address, when known) and the query string.

    Examples
    --------
    >>> link_text("http://host/train", {"sample": "iris", "features": ["a b", "c"]})
    'http://host/train?sample=iris&features=a+b&features=c'
    >>> link_text(None, {"sample": "iris"})
    '?sample=iris'
    """
    query = urlencode(params, doseq=True)
    return f"{base or ''}?{query}" if query else (base or "")


def same_data(setup: Setup, source: Mapping) -> bool:
    """Whether the loaded data (``state.source()``) is the data ``setup`` was made with.

    Examples
    --------
    >>> same_data(Setup(sample="iris"), {"kind": "sample", "key": "iris"})
    True
    >>> same_data(Setup(file="a.csv"), {"kind": "upload", "name": "a.csv"}), same_data(Setup(file="a.csv"), {})
    (True, False)
    """
    if setup.sample is not None:
        return source.get("kind") == "sample" and source.get("key") == setup.sample
    if setup.file is not None:
        return source.get("kind") == "upload" and source.get("name") == setup.file
    return bool(source)


# --------------------------------------------------------------------------- the session


def restore_from_link() -> None:
    """On a session's first run, read the URL: load its sample, keep its setup for the Train page."""
    import streamlit as st

    from dashboard.samples import SAMPLES
    from dashboard.ui import state

    if st.session_state.get(RESTORED):
        return
    st.session_state[RESTORED] = True
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    if not params:
        return
    setup, notes = parse_setup(params, samples=list(SAMPLES))
    if notes:
        st.session_state[NOTES] = notes
    if setup == Setup():
        return
    if setup.sample is not None:
        state.load_sample_into_session(setup.sample)
    if replace(setup, page=None) != Setup():
        st.session_state[PENDING] = replace(setup, page=None)
    if setup.page not in (None, "data"):
        st.switch_page(PAGES[setup.page], query_params=params)


def link_notes() -> None:
    """What the link asked for that could not be used, said once."""
    import streamlit as st

    for note in st.session_state.pop(NOTES, []):
        st.info(note, icon=":material/link_off:")


def _live_pending() -> Setup | None:
    """The link's setup while it still waits for its data; dropped once other data is loaded."""
    import streamlit as st

    from dashboard.ui import state

    pending = st.session_state.get(PENDING)
    if pending is None or same_data(pending, state.source()):
        return pending
    seen = st.session_state.setdefault(PENDING_TABLE, state.table_id())
    if seen == state.table_id():
        return pending  # the table loaded meanwhile (the default sample): keep waiting
    del st.session_state[PENDING]  # the user loaded other data: the link gives way
    return None


def waiting_file() -> str | None:
    """The file a link was made with while it is not loaded (it must be uploaded again)."""
    from dashboard.ui import state

    setup = _live_pending()
    if setup is None or setup.file is None or same_data(setup, state.source()):
        return None
    return setup.file


def apply_link_setup(table_profile) -> None:
    """Give the Train page's widgets the link's setup, once its data is loaded.

    Called by the Train page before its widgets. A target or feature that is not a usable
    column of this table is left out, with a note.
    """
    import streamlit as st

    from dashboard.ui import state

    setup = _live_pending()
    if setup is None or not same_data(setup, state.source()):
        return
    del st.session_state[PENDING]
    notes = []
    target = setup.target
    if target is not None:
        if target in table_profile.target_candidates():
            st.session_state[TARGET] = target
        else:
            notes.append(f"The link's target “{target[:40]}” is not a possible target here.")
            target = None
    chosen = target or st.session_state.get(TARGET) or table_profile.likeliest_target()
    if setup.features is not None and chosen is not None:
        usable = table_profile.default_features(chosen)
        kept = [f for f in setup.features if f in usable]
        if len(kept) < len(setup.features):
            left = len(setup.features) - len(kept)
            what = "is not a usable column" if left == 1 else "are not usable columns"
            notes.append(f"{left} of the link's features {what} here, so they were left out.")
        st.session_state[FEATURES] = kept
    for key, value in setup.settings.items():
        st.session_state[key] = value
    if notes:
        st.session_state[NOTES] = st.session_state.get(NOTES, []) + notes


def current_setup(page: str | None = None) -> Setup:
    """The session's setup on ``page``: its data and the Train page's choices (a link's, until taken)."""
    import streamlit as st

    from dashboard.samples import SAMPLES
    from dashboard.ui import state

    source = state.source()
    pending = _live_pending()
    if pending is not None and pending.file is not None and not same_data(pending, source):
        return replace(pending, page=page)  # the file must be uploaded again: the link stays
    data: dict = {"page": page}
    if source.get("kind") == "sample":
        data["sample"] = source.get("key")
    elif source.get("kind") == "upload":
        data["file"] = source.get("name")
    if pending is not None and same_data(pending, source):
        return replace(pending, **data)
    table_profile = state.profile()
    target = st.session_state.get(TARGET)
    if table_profile is None or target not in table_profile.target_candidates():
        return Setup(**data)
    usable = table_profile.default_features(target)
    features = st.session_state.get(FEATURES)
    chosen = None
    if isinstance(features, list) and [f for f in features if f in usable] != usable:
        chosen = tuple(f for f in features if f in usable)
    keys = (C_GRID, CV_FOLDS, TEST_SIZE, SEED_KEY, CLASS_WEIGHT)
    values = {key: st.session_state.get(key) for key in keys}

    # The session's choices go through the same reading as a link's (a typed C grid included).
    parsed, _ = parse_setup(
        setup_params(
            Setup(
                target=target,
                features=chosen,
                c_grid=values[C_GRID] if isinstance(values[C_GRID], str) else None,
                folds=values[CV_FOLDS],
                test_size=values[TEST_SIZE],
                seed=values[SEED_KEY],
                balanced=None if values[CLASS_WEIGHT] is None else bool(values[CLASS_WEIGHT]),
            )
        ),
        samples=list(SAMPLES),
    )
    return replace(parsed, **data)


def _page_name(url_path: str | None) -> str | None:
    return url_path if url_path in PAGES and url_path != "data" else None


def sync_link(url_path: str | None = None) -> None:
    """Write the session's setup on the page at ``url_path`` into the URL (when it changed)."""
    import streamlit as st

    wanted = setup_params(current_setup(_page_name(url_path)))
    now = {key: st.query_params.get_all(key) for key in st.query_params}
    as_lists = {key: value if isinstance(value, list) else [value] for key, value in wanted.items()}
    if now != as_lists:
        st.query_params.from_dict(wanted)


def share_link(url_path: str | None = None) -> None:
    """The "Copy link" control: the link to this page (at ``url_path``) with this setup."""
    import streamlit as st

    page = _page_name(url_path)
    params = setup_params(current_setup(page))
    try:
        base = link_base(st.context.url, url_path)
    except Exception:  # noqa: BLE001 - no browser (AppTest): the query string alone
        base = None
    with st.popover("Share this setup", icon=":material/link:", width="stretch"):
        st.caption(
            "Copy the link (the button at its right). Opened in another browser it loads the same "
            "data and Train settings; an uploaded file must be uploaded there again."
        )
        st.code(link_text(base, params), language=None, wrap_lines=True)
        if not base:
            st.caption("Add this to the app's address.")
