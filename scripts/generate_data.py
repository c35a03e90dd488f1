#!/usr/bin/env python
"""Generate the synthetic ops-sla raw data set. See ``--help``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops_sla.generator.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
