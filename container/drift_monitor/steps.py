"""How the jobs run their sections: under the thread limit, timed, one log line each.

The lines (``feature_drift: 0.42 s``) go to stderr, which a Processing job streams to
CloudWatch Logs: they are what a user sees of a job while it runs.

threadpoolctl limits only the native libraries already loaded when a limit is entered; a BLAS
or OpenMP runtime loaded afterwards (SciPy's OpenBLAS, scikit-learn's libgomp) keeps one
thread per core. So :func:`thread_limit` loads them first, and every section runs under its
own limit, which also covers whatever an earlier section loaded.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

# The modules whose import loads the BLAS and OpenMP runtimes the sections use.
NATIVE_MODULES = ("numpy", "scipy.linalg", "scipy.stats", "sklearn.ensemble")

P = ParamSpec("P")
T = TypeVar("T")


def log(text: str) -> None:
    """One progress line on stderr, flushed so it reaches the logs while the job runs."""
    print(text, file=sys.stderr, flush=True)


def load_native_libraries() -> None:
    for name in NATIVE_MODULES:
        importlib.import_module(name)


@contextmanager
def thread_limit(threads: int) -> Iterator[None]:
    """At most ``threads`` native threads in every BLAS/OpenMP runtime the sections use."""
    load_native_libraries()
    with threadpool_limits(limits=threads):
        yield


def run_step(name: str, threads: int, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args)`` under the thread limit, logged as ``name: <seconds> s`` when it ends."""
    start = time.perf_counter()
    with thread_limit(threads):
        try:
            result = work(*args, **kwargs)
        except Exception:
            log(f"{name}: failed after {time.perf_counter() - start:.2f} s")
            raise
        log(f"{name}: {time.perf_counter() - start:.2f} s")  # inside the limit (tests read it)
    return result
