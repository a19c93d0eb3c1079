"""Everything a person reads: the self-contained ``report.html`` and its sections' fragments.

Statistics modules measure and judge; this package presents what they return, with one
escaping helper (:mod:`drift_monitor.report.html`) and no external assets or JavaScript.
"""

from drift_monitor.report.page import render

__all__ = ["render"]
