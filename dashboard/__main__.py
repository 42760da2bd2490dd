"""Entry point of ``python -m dashboard``: see :mod:`dashboard.cli`."""

import sys

from dashboard.cli import main

if __name__ == "__main__":
    sys.exit(main())
