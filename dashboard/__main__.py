"""Entry point of ``python -m dashboard``: see :mod:`dashboard.cli`."""

import gc
import sys

# One command, then the process ends. Collect cyclic garbage less often: importing scikit-learn,
# SciPy and pandas alone sets off some 370 collections (about 0.15 s) and frees nothing; arrays
# are freed by reference counting all the same.
gc.set_threshold(50_000, 20, 20)

from dashboard.cli import main  # noqa: E402

if __name__ == "__main__":
    code = main()
    # Leaving frees everything anyway: frozen objects skip the interpreter's last collections
    # (about 0.3 s after a training).
    gc.freeze()
    sys.exit(code)
