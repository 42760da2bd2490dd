"""Start-up (issue 14, point 4): ``--help``, the imports of a ``train`` run, the app's first page.

- ``python -m dashboard --help`` as a fresh process, wall time (best of ``repeats``), beside a
  bare ``python -c pass`` (the interpreter's own start, which no change here can shorten).
- The imports of a ``train`` run: a fresh process imports what ``run_train`` imports before it
  trains (``dashboard.cli``, the loader, the profile, the summary, ``dashboard.training``) and
  what the search imports on first use (``scipy.optimize``), timed inside the process. Beside
  it, ``import pandas`` and ``import sklearn.base`` alone, each in a fresh process, and the
  ``scipy.stats`` that scikit-learn imports unconditionally: the floor under that figure.
- The app's first page for a new browser session on a running server (the server's own
  imports are paid by the first session after start, measured apart): a websocket session
  speaking Streamlit's protocol (``bench.load``) timed from connecting to the end of the first
  script run (server time); and, where Playwright and Debian's Chromium are installed (``make
  test`` installs them), a new browser context timed from navigation until the page is drawn
  (the script has run and the page's title is on screen), checked at every animation frame.
  Beside it, the page's own clock of the same runs (when Streamlit's scripts had loaded, the
  title was in the page and the script was done), a check on the outside figure.

Run ``python -m bench.startup``; ``run()`` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HELP_GOAL_S = 0.5
IMPORT_GOAL_S = 0.5
FIRST_PAGE_GOAL_S = 1.5

_TRAIN_IMPORTS = """
import dashboard.cli
from dashboard.data import load_csv
from dashboard.profile import profile
from dashboard.summary import train_summary
from dashboard.training import train
import scipy.optimize
"""


# What the train run's imports are made of, each in a fresh process: the two libraries the run
# cannot do without (the final model is a scikit-learn Pipeline on a pandas table), and the part
# of scikit-learn's own import that is SciPy's statistics (sklearn/utils/fixes.py imports
# scipy.stats whatever is used). Together they set a floor that no change here can go under.
_FLOOR_IMPORTS = {
    "pandas": "import pandas",
    "scikit-learn (sklearn.base)": "import sklearn.base",
    "of which scipy.stats": "import scipy.stats",
}


def _import_seconds(statements: str, repeats: int) -> float:
    """Seconds a fresh process spends running ``statements`` (imports), timed inside it."""
    code = f"import time\nstart = time.perf_counter()\n{statements}\nprint(time.perf_counter() - start)"
    best = float("inf")
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
        )
        best = min(best, float(out.stdout.strip().splitlines()[-1]))
    return best


def _process_seconds(args: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


async def _session_seconds(url: str) -> float:
    from bench.load import _connect

    start = time.perf_counter()
    client = await _connect(url)
    try:
        await client.rerun()
    finally:
        await client.ws.close()
    return time.perf_counter() - start


# The page's own clock (ms from navigation): when the title is in the document and when the
# script state turns notRunning after it, seen by a MutationObserver inside the page. Playwright
# sees the same two facts later, when its own checks get a turn on the page's main thread.
_MARKS_JS = """
window.__startup = {};
const observer = new MutationObserver(() => {
  const m = window.__startup, app = document.querySelector('[data-testid=stApp]');
  if (!app) return;
  if (m.title === undefined && app.querySelector('h1')) m.title = performance.now();
  if (m.title !== undefined && app.getAttribute('data-test-script-state') === 'notRunning') {
    m.done = performance.now();
    observer.disconnect();
  }
});
observer.observe(document, {subtree: true, childList: true, attributes: true});
"""


_DRAWN_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  return app !== null && app.querySelector('h1') !== null
    && app.getAttribute('data-test-script-state') === 'notRunning';
}"""
"""Drawn: the page's title is on screen and the script has run (``data-test-script-state``)."""


def _browser_seconds(url: str, repeats: int) -> tuple[list[float], list[float], list[dict]] | None:
    """Seconds from navigation to a drawn first page, each in a new browser context (an empty
    cache), and to the end of loading the page's scripts; and the page's own clock of the same
    run (``_MARKS_JS``: title and notRunning, with DOMContentLoaded, in ms)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    from tests.conftest import CHROMIUM_FLAGS

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        return None
    times, loaded, marks = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            for _ in range(repeats + 1):  # the first warms the browser's own start
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                page.add_init_script(_MARKS_JS)
                start = time.perf_counter()
                page.goto(url, wait_until="commit")
                page.wait_for_load_state("domcontentloaded")  # Streamlit's own scripts
                loaded.append(time.perf_counter() - start)
                # Checked at every animation frame: Playwright's wait_for_selector checks again
                # after 0, 20, 50, 100, 100 and then every 500 ms, so a page drawn just after a
                # check was seen up to half a second late.
                page.wait_for_function(_DRAWN_JS, polling="raf", timeout=60_000)
                times.append(time.perf_counter() - start)
                marks.append(
                    page.evaluate(
                        "() => ({...window.__startup, scripts: performance"
                        ".getEntriesByType('navigation')[0].domContentLoadedEventEnd})"
                    )
                )
                context.close()
        finally:
            browser.close()
    return times[1:], loaded[1:], marks[1:]


def run(repeats: int = 5) -> dict:
    """Every start-up figure; seconds, best of ``repeats`` unless said."""
    from tests.e2e.conftest import start_server, stop_server

    out = {
        "python_s": _process_seconds([sys.executable, "-c", "pass"], repeats),
        "help_s": _process_seconds([sys.executable, "-m", "dashboard", "--help"], repeats),
        "train_imports_s": _import_seconds(_TRAIN_IMPORTS, repeats),
        "import_floor_s": {k: _import_seconds(v, repeats) for k, v in _FLOOR_IMPORTS.items()},
        "help_goal_s": HELP_GOAL_S,
        "import_goal_s": IMPORT_GOAL_S,
        "first_page_goal_s": FIRST_PAGE_GOAL_S,
    }
    started = time.perf_counter()
    proc, url = start_server()
    try:
        out["server_start_s"] = time.perf_counter() - started
        out["first_session_s"] = asyncio.run(_session_seconds(url))  # pays the server's imports
        sessions = [asyncio.run(_session_seconds(url)) for _ in range(repeats)]
        out["session_median_s"] = statistics.median(sessions)
        out["session_max_s"] = max(sessions)
        measured = _browser_seconds(url, repeats)
        browser, loaded, marks = measured if measured is not None else (None, None, None)
        out["browser_median_s"] = None if browser is None else statistics.median(browser)
        out["browser_max_s"] = None if browser is None else max(browser)
        out["browser_scripts_median_s"] = None if loaded is None else statistics.median(loaded)
        out["page_clock_median_ms"] = (
            None
            if not marks
            else {
                k: statistics.median(m[k] for m in marks)
                for k in ("scripts", "title", "done")
                if all(m.get(k) is not None for m in marks)
            }
        )
    finally:
        stop_server(proc)
    return out


def _verdict(ok: bool) -> str:
    return "holds" if ok else "MISSES"


def format_result(r: dict) -> str:
    """The start-up figures beside their goals, as plain lines."""
    lines = [
        f"python -c pass (the interpreter alone)      {r['python_s']:.2f} s",
        f"python -m dashboard --help                  {r['help_s']:.2f} s   goal "
        f"{r['help_goal_s']:g} s: {_verdict(r['help_s'] <= r['help_goal_s'])}",
        f"imports of a train run                      {r['train_imports_s']:.2f} s   goal "
        f"{r['import_goal_s']:g} s: {_verdict(r['train_imports_s'] <= r['import_goal_s'])}",
    ]
    floor = r.get("import_floor_s") or {}
    if floor:
        lines.append(
            "  alone in a fresh process: "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in floor.items())
        )
    lines += [
        f"server start (health answers)               {r['server_start_s']:.2f} s",
        f"first session after start (server imports)  {r['first_session_s']:.2f} s",
        f"a new session's first page, server time     {r['session_median_s']:.2f} s median, "
        f"{r['session_max_s']:.2f} s max   goal {r['first_page_goal_s']:g} s: "
        f"{_verdict(r['session_max_s'] <= r['first_page_goal_s'])}",
    ]
    if r.get("browser_median_s") is None:
        lines.append("a new browser session's first page drawn   not measured (no Playwright)")
    else:
        lines.append(
            f"a new browser session's first page drawn   {r['browser_median_s']:.2f} s median, "
            f"{r['browser_max_s']:.2f} s max   goal {r['first_page_goal_s']:g} s: "
            f"{_verdict(r['browser_max_s'] <= r['first_page_goal_s'])}"
        )
        if r.get("browser_scripts_median_s") is not None:
            lines.append(
                f"  of which Streamlit's front end loading (DOMContentLoaded)  "
                f"{r['browser_scripts_median_s']:.2f} s median"
            )
        clock = r.get("page_clock_median_ms") or {}
        if "done" in clock:
            lines.append(
                "  the page's own clock (median): scripts loaded "
                f"{clock.get('scripts', float('nan')) / 1000:.2f} s, title in the page "
                f"{clock.get('title', float('nan')) / 1000:.2f} s, script done "
                f"{clock['done'] / 1000:.2f} s (from the page's navigation start)"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = parser.parse_args(argv)
    result = run(args.repeats)
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
