"""Speed and memory of ``drift_monitor monitor`` beside a floor and the 2021 AWS sample.

Run: ``.venv/bin/python -m benchmarks.monitor_speed [--runs 3] [--sizes 10000 ... 5000000]``
(default sizes: 10k, 100k, 1M and 5M rows).

Three subjects, each a fresh subprocess, timed wall-clock with its peak RSS and CPU seconds
taken from ``os.wait4`` (the child's own rusage), median of ``--runs``; all of it once as the
host is and once more beside a CPU-bound process this script starts and ends; plus the
baseline job on a 100k-row reference:

* ``floor``: read the window with pyarrow (categoricals dictionary-encoded) and a 20-bin
  histogram per column with NumPy — the least any column-wise analysis has to do;
* ``ours``: ``python -m drift_monitor monitor`` on the same Parquet (all registered sections);
* ``aws_sample_2021``: the drift algorithm of aws-samples/sagemaker-model-monitor-bring-your-
  own-container (``src/drift_detector.py`` + ``src/utils.py``), re-implemented from its code:
  pandas frames, column types by ``nunique() < 50``, decile bins via ``pd.cut``, z-scored
  KS + Wasserstein on every row, chi-square on frequencies, NaN-significance KS/chi-square,
  Jensen–Shannon, and its IsolationForest "accuracy with drift" on the positive rows.

The window is labeled.csv (with the fixture model's score) resampled with replacement
(seeded) to N rows, cached in benchmarks/.cache/. Writes benchmarks/results/monitor_speed.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks._results import publish
from examples.adult import scored as _data

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "monitor_speed.md"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"


def _env(ml_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DRIFT_MONITOR_ML_ROOT": str(ml_root),
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "container"), str(REPO / "common")]),
    }


def prepare(n_rows: int) -> tuple[Path, Path]:
    """Cached window Parquet and reference CSV (for the 2021 sample)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    window = CACHE_DIR / f"adult_{n_rows}.parquet"
    reference = _data.labeled_table()
    if not window.exists():
        # In a child process: a child's peak RSS (``os.wait4``) starts from this process's
        # size, so a 5M-row table built here would inflate every later measurement.
        script = (
            "import sys, pyarrow.parquet as pq; from examples.adult import scored as d; "
            "pq.write_table(d.resample(d.labeled_table(), int(sys.argv[1]), seed=20261125), "
            "sys.argv[2])"
        )
        subprocess.run(
            [sys.executable, "-c", script, str(n_rows), str(window)],
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
    ref_csv = CACHE_DIR / "reference.csv"
    if not ref_csv.exists():
        reference.to_pandas().to_csv(ref_csv, index=False)
    return window, ref_csv


def build_baseline() -> Path:
    """Our baseline folder, rebuilt once per benchmark run (the sections' artefacts change as
    the code does)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    baseline = CACHE_DIR / "baseline"
    shutil.rmtree(baseline, ignore_errors=True)
    ref_parquet = CACHE_DIR / "reference.parquet"
    pq.write_table(_data.labeled_table(), ref_parquet)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "drift_monitor",
            "baseline",
            "--dataset",
            str(ref_parquet),
            "--schema",
            str(_data.SCHEMA_JSON),
            "--output",
            str(baseline),
        ],
        env=_env(CACHE_DIR / "ml"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return baseline


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{command} failed ({child.returncode}): {stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # RSS: kilobytes


# ------------------------------------------------------------------ subjects (child side)
def floor(window: str) -> None:
    """Read + a 20-bin histogram per column: the floor of any column-wise analysis."""
    import numpy as np
    import pyarrow as pa

    schema = _schema()
    table = pq.read_table(window, read_dictionary=schema.categorical)
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        if pa.types.is_dictionary(column.type):
            indices = column.indices.drop_null().to_numpy()
            np.bincount(indices, minlength=len(column.dictionary))
        else:
            values = column.to_numpy(zero_copy_only=False).astype(np.float64)
            values = values[~np.isnan(values)]
            np.histogram(values, bins=20)


def _schema():
    from column_schema import load_schema

    return load_schema(_data.SCHEMA_JSON)


def aws_sample_2021(window: str, reference_csv: str) -> None:
    """The 2021 AWS sample's drift computation (re-implemented from its published code)."""
    import numpy as np
    import pandas as pd
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import chisquare, ks_2samp, scoreatpercentile, wasserstein_distance
    from sklearn.ensemble import IsolationForest
    from sklearn.preprocessing import LabelEncoder

    features = _data.FEATURES
    test_df = pd.read_csv(reference_csv)[[*features, "label"]]
    train_df = test_df[features].copy()
    infer_df = pd.read_parquet(window)[features]  # the sample reads capture into pandas

    def column_type(col):
        # the sample tests dtype == "object"; pandas 3 reads text as "str", same meaning
        return "cat" if not pd.api.types.is_numeric_dtype(col) or col.nunique() < 50 else "num"

    def prob_dist(ref, cur, kind):
        if kind == "num":
            deciles = [scoreatpercentile(ref, i) for i in np.linspace(0, 100, 11)]
            ref_p = (
                pd.cut(ref, deciles, duplicates="drop").value_counts(normalize=True).sort_index()
            )
            cur_p = (
                pd.cut(cur, deciles, duplicates="drop").value_counts(normalize=True).sort_index()
            )
        else:
            ref_p = ref.value_counts(normalize=True, dropna=False)
            cur_p = cur.value_counts(normalize=True, dropna=False)
        common = sorted(set(cur_p.keys()) & set(ref_p.keys()), key=str)
        return (
            [ref_p[k] for k in common],
            [cur_p[k] for k in common],
            abs(len(cur_p) - len(ref_p)),
        )

    infer_count = len(infer_df)
    rows = []
    for col in features:
        ref, cur = train_df[col], infer_df[col]
        kind = column_type(ref)
        ref_prob, cur_prob, unique_drift = prob_dist(ref, cur, kind)
        row = {
            "feature": col,
            "drift_score": float(np.sum(np.abs(np.asarray(ref_prob) - np.asarray(cur_prob)) * 100)),
        }
        ref_nan, cur_nan = ref.isna().mean(), cur.isna().mean()
        row["nan_diff"] = abs(cur_nan - ref_nan) * 100
        if kind == "num":
            with_nan = ks_2samp(ref, cur)[1]
            without_nan = ks_2samp(ref.dropna(), cur.dropna())[1]
            row["nan_signif"] = (with_nan < 0.05) ^ (without_nan < 0.05)
            mean, std = ref.mean(), ref.std()
            ref_z, cur_z = (ref - mean) / std, (cur - mean) / std
            row["ks"], row["p"] = ks_2samp(ref_z, cur_z)
            row["wasserstein"] = wasserstein_distance(ref_z.dropna(), cur_z.dropna())
        else:
            f_ref = [(1 - ref_nan) * infer_count, ref_nan * infer_count]
            f_cur = [(1 - cur_nan) * infer_count, cur_nan * infer_count]
            row["nan_signif"] = chisquare(f_ref, f_cur)[1] < 0.05
            train_freq = [int(p * infer_count) for p in ref_prob]
            infer_freq = [int(p * infer_count) for p in cur_prob]
            try:
                row["chisquare"], row["p"] = chisquare(train_freq, infer_freq)
            except ValueError:  # newer scipy insists on equal sums; the 2021 one did not
                row["chisquare"], row["p"] = float("nan"), float("nan")
            row["unique_drift"] = unique_drift
        row["js"] = jensenshannon(ref_prob, cur_prob)
        rows.append(row)
    pd.DataFrame(rows)

    def auto_impute(df):
        df = df.copy()
        for name in df.columns:
            if not pd.api.types.is_numeric_dtype(df[name]):
                df[name] = LabelEncoder().fit_transform(df[name].fillna(df[name].mode().iloc[0]))
            else:
                df[name] = df[name].fillna(df[name].mean())
        return df

    test_imp = auto_impute(test_df)
    x_pos = test_imp[test_imp["label"] == 1].drop(columns="label")
    forest = IsolationForest(
        n_estimators=100,
        n_jobs=-1,
        contamination="auto",
        max_features=x_pos.shape[1],
        max_samples=x_pos.shape[0],
        bootstrap=False,
        random_state=123,
    ).fit(x_pos)
    pos_mean = float(np.mean(forest.score_samples(x_pos)))
    infer_mean = float(np.mean(forest.score_samples(auto_impute(infer_df))))
    100 - abs((infer_mean - pos_mean) / pos_mean) * 100


# ------------------------------------------------------------------ driver
OURS = "ours: `python -m drift_monitor`"
FLOOR = "floor (pyarrow read + 20-bin histograms)"
AWS = "aws_sample_2021 (pandas + IsolationForest)"
BASELINE_ROWS = 100_000


def _load() -> str:
    """The 1/5/15-minute load average, as ``uptime`` shows it."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    """Cores and CPU model (``lscpu``; the model is unknown where it is missing)."""
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(
            (line.split(":", 1)[1].strip() for line in text.splitlines() if "Model name" in line),
            "unknown CPU",
        )
    except (OSError, subprocess.CalledProcessError):
        model = "unknown CPU"
    return f"{os.cpu_count()} cores (`nproc`), {model}"


@contextmanager
def busy_core(busy: bool) -> Iterator[None]:
    """With ``busy``, a CPU-bound process beside the measurements (started and ended here)."""
    if not busy:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # `kill`: still end the spinner
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def _median(command: list[str], env: dict[str, str], runs: int) -> tuple[float, ...]:
    """Median wall seconds, peak RSS and CPU seconds over ``runs`` fresh processes."""
    samples = [measure(command, env) for _ in range(runs)]
    return tuple(statistics.median(s[i] for s in samples) for i in range(3))


def _subjects(window: Path, ref_csv: Path, baseline: Path, out: Path, aws: bool) -> dict:
    child = [sys.executable, "-m", "benchmarks.monitor_speed", "--child"]
    ours = [sys.executable, "-m", "drift_monitor", "--dataset", str(window)]
    subjects = {
        FLOOR: [*child, "floor", str(window)],
        OURS: [*ours, "--baseline", str(baseline), "--output", str(out)],
    }
    if aws:
        subjects[AWS] = [*child, "aws", str(window), str(ref_csv)]
    return subjects


def baseline_time(runs: int, env: dict[str, str], out: Path) -> tuple[float, ...]:
    """Median wall seconds and peak RSS of the baseline job on a 100k-row reference."""
    reference, _ = prepare(BASELINE_ROWS)
    command = [sys.executable, "-m", "drift_monitor", "baseline", "--dataset", str(reference)]
    command += ["--schema", str(_data.SCHEMA_JSON), "--output", str(out)]
    return _median(command, env, runs)


def measure_mode(sizes: list[int], runs: int, aws: bool, busy: bool, baseline: Path) -> list[str]:
    """Table rows for one mode (quiet, or one core kept busy)."""
    mode = "+ CPU-bound process" if busy else "as is"
    rows = []
    with busy_core(busy), tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "ml")
        wall, rss, cpu = baseline_time(runs, env, Path(tmp) / "baseline")
        rows.append(
            f"| {mode} | {BASELINE_ROWS:,} | baseline job (reference) | {wall:.2f} | "
            f"{cpu:.2f} | {rss:.0f} | — | {_load()} |"
        )
        print(rows[-1], flush=True)
        for n_rows in sizes:
            window, ref_csv = prepare(n_rows)
            subjects = _subjects(window, ref_csv, baseline, Path(tmp) / "out", aws)
            medians = {name: _median(command, env, runs) for name, command in subjects.items()}
            floor_wall = medians[FLOOR][0]
            for name, (wall, rss, cpu) in medians.items():
                rows.append(
                    f"| {mode} | {n_rows:,} | {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | "
                    f"{wall / floor_wall:.1f}× | {_load()} |"
                )
                print(rows[-1], flush=True)
    return rows


def run(sizes: list[int], runs: int, include_aws: bool) -> str:
    header = [
        "# `monitor` speed and memory",
        "",
        f"Command: `.venv/bin/python -m benchmarks.monitor_speed --runs {runs} --sizes "
        f"{' '.join(map(str, sizes))}{'' if include_aws else ' --no-aws'}`  ",
        f"Machine: {machine()}; load average (1/5/15 min) at the start: {_load()}.  ",
        f"Median of {runs} runs per cell, each a fresh process; peak RSS and CPU seconds "
        "(user + system) from `os.wait4` of that process; wall / floor: the median against "
        "the floor's median of the same mode and size. `as is`: the host as it was (other "
        "people's jobs included, see the load); `+ CPU-bound process`: a "
        "`python -c 'while True: pass'` process runs beside every measurement too (started "
        "and ended by this script). Load: 1/5/15-minute load average right after the cell.  ",
        "Window: labeled.csv + model score/prediction/label resampled with replacement "
        "(14 features + score + prediction + label, Parquet); the monitor's baseline is "
        "labeled.csv's (4,885 rows); the baseline job row builds one from the 100k-row window.",
        "",
        "| mode | rows | subject | wall s | CPU s | peak RSS MB | wall / floor | load |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    baseline = build_baseline()
    rows = []
    for busy in (False, True):
        rows += measure_mode(sizes, runs, include_aws, busy, baseline)
    return "\n".join([*header, *rows, ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 5_000_000]
    )
    parser.add_argument("--no-aws", action="store_true", help="skip the 2021 sample")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *paths = args.child
        floor(*paths) if kind == "floor" else aws_sample_2021(*paths)
        return 0
    table = run(args.sizes, args.runs, not args.no_aws)
    publish(table, RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
