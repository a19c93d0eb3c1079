"""Entry point: ``python -m drift_monitor [baseline|monitor|infer-schema] [options]``."""

import sys

from drift_monitor.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog="python -m drift_monitor"))
