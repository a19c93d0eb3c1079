"""The baseline folder: every artefact a section writes at baseline time and reads back.

One reader and writer, so a missing, corrupt or mismatched baseline file always fails the
same way: :class:`~drift_monitor.errors.InputError` naming the file and what it is, the
problem, and the fix (rebuild the baseline, keeping its output folder together).
JSON is written strict (NaN as null, see :mod:`drift_monitor.writers`); tables as Parquet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from drift_monitor.errors import InputError
from drift_monitor.writers import write_json

# The folder's own files (the sections name theirs).
STATISTICS_FILE = "statistics.json"
CONSTRAINTS_FILE = "constraints.json"
SCHEMA_FILE = "schema.json"

REBUILD = (
    "rebuild the baseline (python -m drift_monitor baseline) and keep its whole output "
    "folder together"
)


class BaselineStore:
    """Artefacts of one baseline folder, by file name.

    A name may also be an absolute path (``baseline_constraints`` set to a file elsewhere):
    joining it to the folder keeps it as it is.
    """

    def __init__(self, baseline_dir: Path) -> None:
        self.baseline_dir = Path(baseline_dir)

    def path(self, name: str | Path) -> Path:
        return self.baseline_dir / name

    def invalid(self, name: str | Path, what: str, problem: str) -> InputError:
        """The error for an artefact that was read but cannot be used (``problem`` says why)."""
        return InputError(f"{self.path(name)}: {what} {problem}; {REBUILD}")

    def read_json(self, name: str | Path, what: str) -> dict[str, Any]:
        """A JSON object; ``what`` names the artefact in the error (e.g. "baseline constraints")."""
        try:
            document = json.loads(self.path(name).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise self.invalid(name, what, "not found") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self.invalid(name, what, f"is not valid JSON ({exc})") from exc
        if not isinstance(document, dict):
            raise self.invalid(name, what, f"must be a JSON object, got {type(document).__name__}")
        return document

    def write_json(self, name: str | Path, document: Any, *, indent: int | None = 2) -> Path:
        path = self.path(name)
        write_json(path, document, indent=indent)
        return path

    def read_table(self, name: str | Path, what: str) -> pa.Table:
        """A Parquet table; ``what`` names the artefact in the error."""
        try:
            return pq.read_table(self.path(name))
        except FileNotFoundError as exc:
            raise self.invalid(name, what, "not found") from exc
        except (OSError, pa.ArrowException) as exc:
            raise self.invalid(name, what, f"is not readable as Parquet ({exc})") from exc

    def write_table(self, name: str | Path, table: pa.Table) -> Path:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        return path
