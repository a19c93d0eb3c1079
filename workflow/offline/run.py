"""The offline end-to-end run: ``python -m workflow.offline.run`` (``make run``).

Deploys the stack into an embedded AWS (moto), writes a few hours of realistic demo traffic,
then runs the deployed state machine once per window, exactly as the hourly schedule would,
showing each state as it finishes. Ends with a summary and copies every report to ``--output``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from workflow.offline import demo
from workflow.offline.demo_endpoint import deploy_champion, serving_model
from workflow.offline.engine import ExecutionResult, StateStep, offline_aws, run_execution
from workflow.offline.local_jobs import LocalJobRunner, default_images
from workflow.offline.stack import (
    MONITOR_IMAGE,
    TRAINING_IMAGE,
    PipelineSettings,
    deploy,
    read_notifications,
)

OUTCOMES = {
    "Healthy": "healthy",
    "Notified": "notify",
    "Retrained": "retrain",
    "RetrainSkipped": "retrain skipped",
    "NoDataRecorded": "no data",
    "NothingMergeable": "nothing mergeable",
    "PipelineFailed": "FAILED",
}


# The demo's owner lets a winning challenger go live unattended (the template's defaults
# register it for manual approval and do not deploy).
DEMO_RETRAINING = {"AutoApproveChallenger": "true", "AutoDeployChallenger": "true"}


@dataclass
class WindowReport:
    window: demo.DemoWindow
    result: ExecutionResult
    notifications: list[dict[str, str]]

    @property
    def outcome(self) -> str:
        for step in reversed(self.result.steps):
            if step.name in OUTCOMES:
                return OUTCOMES[step.name]
        return self.result.status

    @property
    def evaluation(self) -> dict[str, Any]:
        output = self.result.output or {}
        return output.get("evaluation") or {}

    @property
    def merge(self) -> dict[str, Any]:
        output = self.result.output or {}
        return output.get("merge") or {}


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("output/offline-run"),
        help="where reports, job logs and the run summary are written",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    reports = run_demo(args.output, seed=args.seed, out=out)
    return 0 if all(r.result.status == "SUCCEEDED" for r in reports) else 1


def run_demo(
    output: Path,
    *,
    seed: int = 7,
    out: TextIO = sys.stdout,
    settings: PipelineSettings | None = None,
    plan: tuple[demo.WindowPlan, ...] = demo.DEFAULT_PLAN,
    before_window=None,
) -> list[WindowReport]:
    """Run every window of ``plan``; ``before_window(session, stack, window)`` is a test hook."""
    settings = settings or PipelineSettings().with_parameters(**DEMO_RETRAINING)
    started = time.monotonic()
    output = output.resolve()
    if output.exists():
        _clear(output)
    output.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    say = _printer(out, started)

    with offline_aws(output / "work") as session:
        stack = deploy(session, settings)
        say(
            f"Deployed the stack into the embedded AWS (moto): bucket {stack.bucket}, "
            f"state machine {stack.state_machine_arn.rsplit(':', 1)[-1]}"
        )
        runner = LocalJobRunner(
            session.client("s3"),
            output / "work" / "setup-jobs",
            default_images(MONITOR_IMAGE, TRAINING_IMAGE),
        )
        say(
            "Setting up the demo: training the model, running its baseline job, simulating "
            f"{len(plan)} hours of endpoint traffic ..."
        )
        scenario = demo.prepare(
            session,
            runner,
            bucket=stack.bucket,
            endpoint=settings.endpoint_name,
            variant=settings.variant_name,
            now=now,
            seed=seed,
            plan=plan,
            progress=lambda text: say(text, indent=2),
            write_windows=False,  # each hour is written just before its run, scored by the
            # model the endpoint serves then (a deployed challenger scores the hours after it)
        )
        deploy_champion(
            session,
            bucket=stack.bucket,
            endpoint=settings.endpoint_name,
            variant=settings.variant_name,
            seed=seed,
        )
        say(
            f"Model accuracy on the baseline reference: {scenario.baseline_accuracy:.1%}; "
            f"accuracy floor set in constraints.json: {demo.ACCURACY_FLOOR:.0%}"
        )

        reports = []
        for number in range(1, len(plan) + 1):
            model, model_name = serving_model(session, settings.endpoint_name)
            window = scenario.write_window(model, served_by=model_name)
            say(
                f"Window {number}/{len(plan)} {_span(window)}: "
                f"{window.plan.story} ({window.rows} requests rows scored by {model_name}, "
                f"{window.labels_written} labels arrived so far)"
            )
            if before_window:
                before_window(session, stack, window)
            result = run_execution(
                session,
                stack.state_machine_arn,
                window.execution_input(scenario.endpoint),
                name=f"offline-{number}-{int(now.timestamp())}",
                on_step=lambda step: say(_step_line(step), indent=6),
            )
            report = WindowReport(window, result, read_notifications(session, stack))
            reports.append(report)
            say(f"-> {report.outcome} ({result.seconds:.1f} s)", indent=6)
            for note in report.notifications:
                say(f"SNS: {note['subject']}", indent=6)
        _export_reports(session, stack.bucket, output)
    summary = render_summary(reports, scenario, output, time.monotonic() - started)
    (output / "summary.txt").write_text(summary, encoding="utf-8")
    (output / "notifications.json").write_text(
        json.dumps([n for r in reports for n in r.notifications], indent=2), encoding="utf-8"
    )
    print(summary, file=out)
    return reports


def _printer(out: TextIO, started: float):
    def say(text: str, indent: int = 0) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {' ' * indent}{text}", file=out, flush=True)

    return say


def _span(window: demo.DemoWindow) -> str:
    return f"{window.start:%Y-%m-%d %H:%M}-{window.end:%H:%M} UTC"


def _short_span(window: demo.DemoWindow) -> str:
    return f"{window.start:%m-%d %H:%M}-{window.end:%H:%M}"


def _step_line(step: StateStep) -> str:
    mark = "x" if step.failed else "."
    return f"{mark} {step.name:<20} {step.seconds:5.1f} s"


def _clear(output: Path) -> None:
    import shutil

    for child in output.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def _export_reports(session, bucket: str, output: Path) -> None:
    """Copy every report out of the embedded S3 so a person can open them."""
    s3 = session.client("s3")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="reports/"):
        for item in page.get("Contents", []):
            target = output / item["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, item["Key"], str(target))


def _headline_reasons(reasons: list[str], limit: int = 3, width: int = 110) -> list[str]:
    """Accuracy and decision reasons first (they decide), then the rest, each cut to a line."""
    ranked = sorted(
        reasons, key=lambda r: 0 if ("accuracy" in r or "cool-down" in r or "forced" in r) else 1
    )
    return [r if len(r) <= width else r[: width - 3] + "..." for r in ranked[:limit]]


def _measured(report: WindowReport, output: Path) -> str:
    """Measured accuracy, or why there is none worth quoting (too few labelled rows)."""
    status = (
        _window_statistics(report, output).get("summary", {}).get("model_quality", {}).get("status")
    )
    if status in ("insufficient_data", "no_labels"):
        return "too few"
    return _pct(report.evaluation.get("actual_accuracy"))


def _window_statistics(report: WindowReport, output: Path) -> dict[str, Any]:
    uri = report.evaluation.get("report_uri")
    if not uri:
        return {}
    path = output / uri.split("/", 3)[3] / "statistics.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _retraining_line(output: dict[str, Any]) -> str | None:
    """What the retraining branch ended with: the gate's verdict and the package, or why not."""
    if promotion := output.get("promotion"):
        line = (
            f"retraining: {promotion['decision']} ({promotion['reason']}); "
            f"package {'/'.join(promotion['model_package_arn'].rsplit('/', 2)[-2:])} "
            f"{promotion['model_package_status']}"
        )
        if refresh := promotion.get("baseline_refresh"):
            line += (
                f"\n{'':<19}baseline: the new model's, made from its holdout "
                f"({refresh['baseline_uri']}; kept from constraints.json: "
                f"{', '.join(refresh['carried_over'])})"
            )
        return line
    for key in ("retraining_lock", "dataset"):
        skipped = output.get(key) or {}
        if skipped.get("acquired") is False or skipped.get("enough") is False:
            return f"retraining: {skipped['subject']}"
    return None


def _pct(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1%}"


def render_summary(
    reports: list[WindowReport], scenario: demo.Demo, output: Path, seconds: float
) -> str:
    lines = [
        "",
        f"Summary: endpoint {scenario.endpoint}, {len(reports)} windows, "
        f"baseline accuracy {scenario.baseline_accuracy:.1%}, accuracy floor "
        f"{demo.ACCURACY_FLOOR:.0%}, run took {seconds:.0f} s",
        "",
        f"{'window (UTC)':<19}{'path':<9}{'true acc':>9}{'measured':>10}{'projected':>11}"
        f"{'labels':>8}  top drifted features / why",
    ]
    served_by = reports[0].window.served_by if reports else ""
    for report in reports:
        evaluation = report.evaluation
        if report.window.served_by != served_by:
            served_by = report.window.served_by
            lines.append(f"{'':<19}from here on the endpoint serves {served_by}")
        drifted = ", ".join((evaluation.get("top_drifted_features") or [])[:3]) or "-"
        lines.append(
            f"{_short_span(report.window):<19}{report.outcome:<9}"
            f"{_pct(report.window.true_accuracy):>9}"
            f"{_measured(report, output):>10}"
            f"{_pct(evaluation.get('projected_accuracy')):>11}"
            f"{report.merge.get('labeled_row_count', 0):>8}  {drifted}"
        )
        for reason in _headline_reasons(evaluation.get("reasons") or []):
            lines.append(f"{'':<19}why: {reason}")
        if retraining := _retraining_line(report.result.output or {}):
            lines.append(f"{'':<19}{retraining}")
        if report.result.status != "SUCCEEDED":
            lines.append(f"{'':<19}error: {report.result.error}: {report.result.cause}")
    lines += [
        "",
        "true acc = the served model's accuracy on all of the window's traffic (known only "
        "because the demo simulates it);",
        'measured = on the rows whose label has arrived ("too few": under the container\'s '
        "minimum, no verdict); projected = label-free estimate.",
        f"Reports: {output / 'reports'} (open report.html per window)",
        f"SNS messages: {output / 'notifications.json'}; job logs: {output / 'work' / 'jobs'}; "
        f"Lambda logs: {output / 'work' / 'lambda-logs'}",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
