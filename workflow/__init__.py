"""The state machine (``definition``, ``render``) and its offline run (``offline``).

On AWS the Lambdas, the analysis image and the shared layer are separate deployables; here
they all run from this checkout, so their source folders go on ``sys.path``, the way each
deployable sees its own code at its root. The definition reads the Lambdas' result models and
the shared processing paths through them.
"""

import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
DEPLOYABLE_ROOTS = [
    _REPO / "common",
    _REPO / "container",
    _REPO / "lambdas" / "merge_labels",
    _REPO / "lambdas" / "evaluate_violations",
    _REPO / "lambdas" / "retraining",
    _REPO / "lambdas" / "trend_report",
]
for _root in DEPLOYABLE_ROOTS:
    if str(_root) not in sys.path:
        sys.path.append(str(_root))
