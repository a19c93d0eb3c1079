"""Where the Adult census example lives inside the repository (the one locator).

The demo, the tests and the benchmarks find the example's files through these names, so
nothing reads a path outside the checkout. Provenance and licence: ``README.md`` beside them.
"""

from pathlib import Path

ADULT_DIR = Path(__file__).resolve().parent
LABELED_CSV = ADULT_DIR / "labeled.csv"
TRAFFIC_DRIFTED_CSV = ADULT_DIR / "traffic_drifted.csv"
SCHEMA_JSON = ADULT_DIR / "schema.json"
