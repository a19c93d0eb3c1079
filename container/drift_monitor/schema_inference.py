"""``infer-schema``: a starting ``schema.json`` from a CSV or Parquet file.

Writing the schema by hand is the first hurdle of a new endpoint. The rule is deliberately
simple so the result is easy to review: a column whose present values are all numbers is
numerical, anything else categorical; the label, score and prediction columns (named by
options) and the merged dataset's metadata columns are not features. Every decision is
printed, and the document is validated with ``column_schema.parse_schema`` before it is
written, so what is written is a schema the jobs accept.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from column_schema import ColumnSchema, parse_schema
from drift_monitor.dataset import METADATA_COLUMNS
from drift_monitor.errors import InputError
from drift_monitor.readers.tabular import find_tabular_files

SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class Request:
    """What to infer: the data, the role columns and the user's overrides."""

    dataset: Path
    dataset_format: str | None = None  # "csv" | "parquet"; None: from the file names
    label: str = "label"
    score: str = "score"
    prediction: str = "prediction"
    output_format: str = "probability"
    positive_class: int = 1
    decision_threshold: float = 0.5
    categorical: list[str] = field(default_factory=list)
    numerical: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


@dataclass
class Inferred:
    schema: ColumnSchema
    reasons: dict[str, str]  # column -> why it got its type, or why it is not a feature
    warnings: list[str]


def data_kind(path: Path, dataset_format: str | None) -> str:
    """csv or parquet, from --format or the file names; capture JSONL is refused."""
    if not path.exists():
        raise InputError(f"{path}: data file does not exist")
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    suffixes = {p.suffix.lower() for p in files}
    if dataset_format:
        kind = dataset_format
    elif path.is_file():
        kind = SUFFIXES.get(path.suffix.lower(), f"suffix {path.suffix!r}")
    else:
        found = {SUFFIXES.get(s) for s in suffixes}
        kind = "parquet" if "parquet" in found else "csv" if "csv" in found else "no such files"
    if kind not in ("csv", "parquet") and ".jsonl" in suffixes:
        raise InputError(
            f"{path}: data capture carries no column names; infer the schema from a merged "
            "CSV or Parquet file (features, score, prediction, label)"
        )
    if kind not in ("csv", "parquet"):
        raise InputError(
            f"{path}: cannot tell the format ({kind}); expected .csv or .parquet files, "
            "or pass --format csv|parquet"
        )
    return kind


def _csv_table(path: Path) -> pa.Table:
    """Every column as text, so the types are decided on the whole file, not its first block."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            names = next(csv.reader(handle), [])
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable CSV file with a header ({exc})") from exc


def read_table(path: Path, kind: str) -> pa.Table:
    """All files of ``path`` as one table (columns of every file)."""
    tables = []
    for file in find_tabular_files(path, kind):
        if kind == "csv":
            tables.append(_csv_table(file))
            continue
        try:
            tables.append(pq.read_table(file))
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{file}: not a readable Parquet file ({exc})") from exc
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowException as exc:
        raise InputError(f"{path}: the files have incompatible columns ({exc})") from exc


def column_type(column: pa.ChunkedArray) -> tuple[str, str]:
    """(numerical|categorical, the reason) for one column."""
    ctype = column.type
    if pa.types.is_dictionary(ctype):
        ctype = ctype.value_type
        column = column.cast(ctype)
    if column.null_count == len(column):
        return "categorical", "no values (typed categorical: check it)"
    if pa.types.is_integer(ctype) or pa.types.is_floating(ctype) or pa.types.is_decimal(ctype):
        return "numerical", f"{ctype} values"
    if pa.types.is_string(ctype) or pa.types.is_large_string(ctype):
        text = pc.utf8_trim_whitespace(column)
        try:
            text.cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return "categorical", "text values"
        return "numerical", "every value is a number"
    return "categorical", f"{ctype} values"


def _check_overrides(request: Request, names: list[str]) -> None:
    for option in ("categorical", "numerical", "ignore"):
        unknown = [c for c in getattr(request, option) if c not in names]
        if unknown:
            raise InputError(
                f"--{option} {', '.join(unknown)}: no such column in {request.dataset} "
                f"(columns: {', '.join(names)})"
            )
    both = sorted(set(request.categorical) & set(request.numerical))
    if both:
        raise InputError(f"--categorical and --numerical both name {', '.join(both)}")


def _role_warnings(request: Request, names: list[str]) -> list[str]:
    roles = [("label", request.label), ("prediction", request.prediction)]
    if request.output_format == "probability":
        roles.insert(0, ("score", request.score))
    hints = {
        "label": "the baseline will not build model quality or the projection's calibration",
        "score": "pass --output-format class if the endpoint returns only a class",
        "prediction": "it is derived from the score at the decision threshold",
    }
    return [
        f"no {role} column {column!r} in {request.dataset} (--{role} names it): {hints[role]}"
        for role, column in roles
        if column not in names
    ]


def _feature_type(request: Request, name: str, column: pa.ChunkedArray) -> tuple[str, str]:
    if name in request.categorical:
        return "categorical", "--categorical"
    if name in request.numerical:
        return "numerical", "--numerical"
    return column_type(column)


def infer(request: Request) -> Inferred:
    """The schema of ``request.dataset``; raises InputError naming the file or option."""
    table = read_table(request.dataset, data_kind(request.dataset, request.dataset_format))
    names = table.column_names
    _check_overrides(request, names)
    roles = {request.label, request.score, request.prediction}
    features, reasons = [], {}
    for name in names:
        if name in roles or name in METADATA_COLUMNS or name in request.ignore:
            reasons[name] = "not a feature (role, metadata or --ignore)"
            continue
        ftype, reason = _feature_type(request, name, table.column(name))
        features.append({"name": name, "type": ftype})
        reasons[name] = f"{ftype}: {reason}"
    if not features:
        raise InputError(f"{request.dataset}: no feature columns left (columns: {names})")
    document: dict[str, Any] = {
        "version": 1,
        "problem_type": "BinaryClassification",
        "features": features,
        "score": request.score if request.output_format == "probability" else None,
        "prediction": request.prediction,
        "label": request.label,
        "positive_class": request.positive_class,
        "decision_threshold": request.decision_threshold,
        "output_format": request.output_format,
    }
    schema = parse_schema(document, source=f"schema inferred from {request.dataset}")
    return Inferred(schema, reasons, _role_warnings(request, names))


def default_output(dataset: Path) -> Path:
    """schema.json next to the data: where ``baseline`` looks when --schema is not given."""
    return (dataset if dataset.is_dir() else dataset.parent) / "schema.json"


def write_schema(schema: ColumnSchema, output: Path, *, force: bool) -> None:
    if output.exists() and not force:
        raise InputError(f"{output} exists; pass --force to overwrite it, or --output PATH")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(schema.to_dict(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write the schema ({exc})") from exc


def summary(schema: ColumnSchema, where: str) -> str:
    return (
        f"Wrote {where}: {len(schema.features)} features ({len(schema.numerical)} numerical, "
        f"{len(schema.categorical)} categorical), label {schema.label!r}, score "
        f"{schema.score!r}, prediction {schema.prediction!r}; review the types before the "
        "first baseline"
    )
