"""``python -m emergence diagnose PATH``: the same as the ``emergence`` console script."""

import sys

from emergence.diagnose.cli import main

sys.exit(main())
