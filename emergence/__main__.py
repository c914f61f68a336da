"""``python -m emergence diagnose PATH``: the same as the ``emergence`` console script."""

import sys

from .cli import main

sys.exit(main())
