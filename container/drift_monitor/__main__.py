"""Entry point: ``python -m drift_monitor [monitor|baseline] [--dataset] [--schema] [--output]``."""

import sys

from drift_monitor.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
