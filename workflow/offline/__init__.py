"""The offline run: the deployed state machine on an embedded AWS (moto), on this machine.

On AWS the Lambdas, the analysis image and the shared schema layer are separate deployables;
offline they all run from this checkout, so their source folders go on ``sys.path`` here, the
way each deployable sees its own code at its root.
"""

import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
DEPLOYABLE_ROOTS = [
    _REPO / "common",
    _REPO / "container",
    _REPO / "lambdas" / "merge_labels",
    _REPO / "lambdas" / "evaluate_violations",
]
for _root in DEPLOYABLE_ROOTS:
    if str(_root) not in sys.path:
        sys.path.append(str(_root))
