"""The command line: ``python -m dashboard profile | train | predict``, JSON on stdout."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import stat
import sys
import threading
import warnings
from pathlib import Path
from typing import Any, NoReturn, TextIO

from dashboard.errors import SoftmaxLabError
from dashboard.limits import LIMITS

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER_ERROR = 2

APOLOGY = (
    "Sorry, Softmax Lab hit an unexpected problem (a bug, not your input): {kind}. "
    "Please report it with the command you ran."
)


class _UsageError(Exception):
    """A bad command line, told to the user as one ``error:`` line."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(
            f"{message} (run `python -m dashboard {self._sub_name()}--help` for usage)"
        )

    def _sub_name(self) -> str:
        parts = self.prog.split()
        return " ".join(parts[3:]) + " " if len(parts) > 3 else ""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m dashboard``.

    Returns
    -------
    argparse.ArgumentParser
        Sub-commands ``profile``, ``train`` and ``predict``.
    """
    parser = _Parser(
        prog="python -m dashboard",
        description="Softmax Lab on the command line: profile a CSV, train a softmax classifier "
        "tuned over C, predict with a saved model. Prints JSON on stdout.",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="{profile,train,predict}", parser_class=_Parser
    )
    sub.required = True

    p_profile = sub.add_parser("profile", help="describe every column of a CSV")
    p_profile.add_argument("file", metavar="FILE", help="the CSV file")

    p_train = sub.add_parser("train", help="train a softmax classifier tuned over C")
    p_train.add_argument("file", metavar="FILE", help="the CSV file")
    p_train.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    p_train.add_argument(
        "--features",
        metavar="A,B",
        help="comma-separated feature columns (default: every usable one)",
    )
    p_train.add_argument(
        "--C", dest="c_grid", metavar="0.01,0.1,1,10", help="comma-separated C values to try"
    )
    p_train.add_argument("--cv", type=int, default=5, metavar="K", help="cross-validation folds")
    p_train.add_argument(
        "--test-size", type=float, default=0.2, metavar="SHARE", help="held-out share (0..1)"
    )
    p_train.add_argument("--seed", type=int, default=0, help="random seed for split and folds")
    p_train.add_argument(
        "--class-weight", choices=["none", "balanced"], default="none", help="class weights"
    )
    p_train.add_argument("--max-iter", type=int, default=1000, metavar="N", help="lbfgs iterations")
    p_train.add_argument(
        "--n-jobs", type=int, default=None, metavar="N", help="parallel fits (default: all cores)"
    )
    p_train.add_argument(
        "--small-classes",
        choices=["drop", "refuse"],
        default="drop",
        help="classes too small for the split and folds: leave them out (default; listed in "
        "dropped_classes) or refuse to train",
    )
    p_train.add_argument("--save", metavar="MODEL.skops", help="write the model as a skops file")
    p_train.add_argument(
        "--script", metavar="RUN.py", help="write a script that reproduces the run"
    )
    p_train.add_argument(
        "--report", metavar="REPORT.html", help="write a self-contained HTML report"
    )

    p_predict = sub.add_parser("predict", help="predict with a saved model")
    p_predict.add_argument("model", metavar="MODEL.skops", help="a model file saved by Softmax Lab")
    p_predict.add_argument("file", metavar="FILE", help="the CSV with rows to predict")
    p_predict.add_argument("--out", metavar="PREDICTIONS.csv", help="write the predictions here")
    return parser


# --------------------------------------------------------------------------- files


def _read_file(path: str, *, what: str, limit: int) -> bytes:
    """A file's bytes, refused by what it is before anything is read, and read with a cap.

    Devices (``/dev/zero``), pipes, sockets and folders are refused from ``stat``: a
    device says its size is 0 and would be read until memory runs out. The file is opened
    without blocking (a pipe swapped in after the check cannot hang us), checked again on
    the open descriptor, and never more than ``limit`` bytes are read.
    """
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise SoftmaxLabError(
                f"This is a folder, not a {what}", where=path, hint="Give the path of a file."
            )
        _refuse_if_not_regular(mode, what=what, path=path)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SoftmaxLabError(
            f"There is no {what} at this path", where=path, hint="Check the file name and folder."
        ) from None
    except OSError as exc:
        raise SoftmaxLabError(
            f"The {what} cannot be read ({exc.strerror or exc})", where=path
        ) from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        _refuse_if_not_regular(info.st_mode, what=what, path=path)
        if info.st_size > limit:
            raise SoftmaxLabError(
                f"The {what} is too large ({info.st_size:,} bytes; the limit is {limit:,})",
                where=path,
            )
        try:
            raw = file.read(limit + 1)
        except OSError as exc:
            raise SoftmaxLabError(
                f"The {what} cannot be read ({exc.strerror or exc})", where=path
            ) from None
    if len(raw) > limit:  # it grew after the size check
        raise SoftmaxLabError(f"The {what} is too large (the limit is {limit:,} bytes)", where=path)
    return raw


def _refuse_if_not_regular(mode: int, *, what: str, path: str) -> None:
    if not stat.S_ISREG(mode):
        kind = (
            "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a pipe"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise SoftmaxLabError(
            f"This is {kind}, not a {what}, so it was not read",
            where=path,
            hint="Give the path of a regular file.",
        )


def _write_file(path: str, data: bytes | str, *, what: str) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        Path(path).write_bytes(raw)
    except OSError as exc:
        raise SoftmaxLabError(
            f"The {what} cannot be written ({exc.strerror or exc})",
            where=path,
            hint="Check that the folder exists and you may write there.",
        ) from None


def _check_writable(path: str | None, *, what: str) -> None:
    """Refuse an output path that cannot be written, before any long work starts."""
    if not path:
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise SoftmaxLabError(
            f"The {what} path is a folder", where=path, hint="Give a file name, e.g. out.csv."
        )
    if not folder.is_dir():
        raise SoftmaxLabError(
            f"The folder for the {what} does not exist",
            where=path,
            hint="Create the folder first or choose another path.",
        )
    if not os.access(folder, os.W_OK):
        raise SoftmaxLabError(f"The folder for the {what} is not writable", where=path)


def _load_table(path: str):
    raw = _read_file(path, what="CSV file", limit=LIMITS.max_upload_bytes)
    from dashboard.data import load_csv

    return load_csv(raw, name=Path(path).name)


def _import_training() -> None:
    with contextlib.suppress(Exception):
        import dashboard.training  # noqa: F401


def _json_safe(value: Any) -> Any:
    """Plain JSON values; NaN and infinity become null (JSON has neither)."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def _print_json(payload: dict, out: TextIO) -> None:
    out.write(json.dumps(_json_safe(payload), indent=2, ensure_ascii=False, allow_nan=False))
    out.write("\n")
    out.flush()


# --------------------------------------------------------------------------- commands


def run_profile(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """``profile FILE``: rows, columns (name, kind, missing, unique, feature, target,
    turns_into), load report."""
    from dashboard.profile import profile

    loaded = _load_table(args.file)
    table_profile = profile(loaded.table)
    payload = {
        "rows": int(table_profile.rows),
        "columns": [
            {
                "name": column.name,
                "kind": column.kind,
                "missing": int(column.missing),
                "unique": int(column.unique),
                "feature": bool(column.can_be_feature),
                "target": bool(column.can_be_target),
                "turns_into": column.turns_into,
            }
            for column in table_profile.columns
        ],
        "load_report": loaded.report.as_dict(),
    }
    _print_json(payload, out)
    return EXIT_OK


def _split_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    return [name for name in names if name]


def _progress_printer(err: TextIO):
    def on_progress(progress: Any) -> None:
        parts = [f"[{progress.done}/{progress.total}]"] if progress.total else []
        if progress.message:
            parts.append(str(progress.message))
        else:
            if progress.C is not None:
                parts.append(f"C = {progress.C:g}")
            if progress.fold is not None:
                parts.append(f"fold {progress.fold + 1}")
        timing = f"elapsed {progress.elapsed:.1f}s"
        if progress.remaining is not None:
            timing += f", about {progress.remaining:.1f}s left"
        err.write(" ".join(parts) + " | " + timing + "\n")
        err.flush()

    return on_progress


def run_train(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """``train FILE --target COL ...``: trains, prints the contract's JSON, writes the outputs."""
    if args.c_grid is not None:  # a bad grid is reported before the file is read
        from dashboard.training import parse_c_grid

        parse_c_grid(args.c_grid)
    _check_writable(args.save, what="model file")
    _check_writable(args.script, what="script")
    _check_writable(args.report, what="report")
    # scikit-learn and the training modules are imported while the file is read: the reader
    # spends much of its time outside the GIL (about 0.2 s sooner on 2 cores). A failure there
    # is met again, and reported, by the import below.
    threading.Thread(target=_import_training, name="softmax-lab-import", daemon=True).start()
    loaded = _load_table(args.file)
    # The export modules (Plotly among them) are imported only when their file is asked for.
    from dashboard.profile import profile
    from dashboard.summary import train_summary
    from dashboard.training import SEED_GRID, TrainingConfig, parse_c_grid, train

    c_grid = parse_c_grid(args.c_grid) if args.c_grid is not None else SEED_GRID
    table = loaded.table
    if args.target not in table.columns:
        shown = ", ".join(map(str, list(table.columns)[:20]))
        raise SoftmaxLabError(
            f"There is no column named '{args.target}'",
            where="--target",
            hint=f"The columns are: {shown}.",
        )
    table_profile = profile(table)
    if args.features is not None:
        features = _split_names(args.features)
        if not features:
            raise SoftmaxLabError("No feature column was given", where="--features")
        unknown = [name for name in features if name not in table.columns]
        if unknown:
            raise SoftmaxLabError(
                "No column named " + ", ".join(f"'{name}'" for name in unknown),
                where="--features",
                hint="Column names are matched exactly; separate them with commas.",
            )
    else:
        features = table_profile.default_features(args.target)
    config = TrainingConfig(
        target=args.target,
        features=tuple(features),
        c_grid=tuple(c_grid),
        cv_folds=args.cv,
        test_size=args.test_size,
        seed=args.seed,
        class_weight=None if args.class_weight == "none" else args.class_weight,
        max_iter=args.max_iter,
        n_jobs=args.n_jobs,
        small_classes=args.small_classes,
    )
    model = train(
        table,
        config,
        on_progress=_progress_printer(err),
        data_sha256=loaded.sha256,
        data_name=loaded.name,
        table_profile=table_profile,
        infinite_values=dict(loaded.report.infinite_values),
    )
    for note in model.notes:
        err.write(f"note: {note}\n")
    if args.save:
        from dashboard.export.model_file import save_model

        _write_file(args.save, save_model(model), what="model file")
        err.write(f"wrote the model to {args.save}\n")
    if args.script:
        from dashboard.export.script import reproducible_script

        _write_file(args.script, reproducible_script(model, loaded.report), what="script")
        err.write(f"wrote the script to {args.script}\n")
    if args.report:
        from dashboard.export.report import html_report

        _write_file(args.report, html_report(model, loaded), what="report")
        err.write(f"wrote the report to {args.report}\n")
    _print_json(train_summary(model), out)
    return EXIT_OK


def run_predict(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """``predict MODEL.skops FILE [--out PREDICTIONS.csv]``."""
    from dashboard.export.csv import safe_csv_bytes
    from dashboard.export.model_file import load_model
    from dashboard.prediction import predict_table, prediction_records

    _check_writable(args.out, what="predictions file")
    raw_model = _read_file(args.model, what="model file", limit=LIMITS.max_model_bytes)
    saved = load_model(raw_model)
    loaded = _load_table(args.file)
    predictions = predict_table(saved, loaded.table)
    if args.out:
        _write_file(args.out, safe_csv_bytes(predictions), what="predictions file")
        _print_json({"rows": len(predictions), "out": args.out}, out)
    else:
        _print_json(
            {
                "rows": len(predictions),
                "predictions": prediction_records(saved, predictions),
            },
            out,
        )
    return EXIT_OK


COMMANDS = {"profile": run_profile, "train": run_train, "predict": run_predict}


def main(
    argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one command and return its exit code.

    0 on success; 2 with one ``error: ...`` line on stderr for wrong input or a bad command
    line; 1 with a one-line apology for anything unexpected (a bug).

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).
    out, err : text streams, optional
        Where JSON and messages go (default: stdout and stderr).

    Returns
    -------
    int
        The exit code.
    """
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    try:
        args = build_parser().parse_args(argv)
        # Library warnings (e.g. convergence) would break the one-line error promise; the
        # training record carries its own plain notes, printed on stderr.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return COMMANDS[args.command](args, out=out, err=err)
    except SystemExit as exc:  # --help prints usage and exits 0
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USER_ERROR
    except _UsageError as exc:
        err.write(f"error: {_one_line(str(exc))}\n")
        return EXIT_USER_ERROR
    except SoftmaxLabError as exc:
        err.write(f"error: {_one_line(str(exc))}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        err.write("error: stopped by the user\n")
        return 130
    except Exception as exc:
        if _is_invalid_parameter(exc):  # a setting scikit-learn refused: the user's to change
            err.write(f"error: {_one_line(_invalid_parameter_message(exc))}\n")
            return EXIT_USER_ERROR
        # a bug: one apology line, no traceback
        err.write(APOLOGY.format(kind=type(exc).__name__) + "\n")
        return EXIT_BUG


def _is_invalid_parameter(exc: BaseException) -> bool:
    """scikit-learn's InvalidParameterError: an option value it refuses (our checks missed it)."""
    if "sklearn" not in sys.modules:
        return False
    from sklearn.utils._param_validation import InvalidParameterError

    return isinstance(exc, InvalidParameterError)


def _invalid_parameter_message(exc: BaseException) -> str:
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return str(
        SoftmaxLabError(
            f"A setting is not valid: {text}",
            where="options",
            hint="Check the values given to the options (run with --help for their ranges).",
        )
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
