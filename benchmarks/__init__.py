"""Benchmarks, each runnable as ``.venv/bin/python -m benchmarks.<name>``.

The deployables live in their own source roots (``container/``, ``common/``), which pytest
adds through its ``pythonpath`` setting; a benchmark run as a module gets the same roots here.
"""

import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
for _root in ("common", "container"):
    if str(_REPO / _root) not in sys.path:
        sys.path.append(str(_REPO / _root))
