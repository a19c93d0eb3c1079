"""Shared set-up of the functional suites: the stack deployed into the embedded AWS with the
demo's hours (model, baseline, capture, labels) written; by default one healthy hour."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from workflow.offline import demo
from workflow.offline.engine import offline_aws
from workflow.offline.local_jobs import LocalJobRunner, default_images
from workflow.offline.stack import MONITOR_IMAGE, TRAINING_IMAGE, PipelineSettings, deploy

HEALTHY_HOUR = demo.WindowPlan("healthy traffic", 300)


@contextmanager
def deployed_demo(
    work: Path,
    plan: tuple[demo.WindowPlan, ...],
    settings: PipelineSettings | None = None,
    train_rows: int = demo.TRAIN_ROWS,
) -> Iterator[tuple]:
    """(session, stack, the demo scenario) with ``plan``'s hours written, for as long as the
    embedded AWS lives; the demo model fitted on ``train_rows`` rows."""
    settings = settings or PipelineSettings()
    with offline_aws(work) as session:
        stack = deploy(session, settings)
        runner = LocalJobRunner(
            session.client("s3"), work / "setup", default_images(MONITOR_IMAGE, TRAINING_IMAGE)
        )
        scenario = demo.prepare(
            session,
            runner,
            bucket=stack.bucket,
            endpoint=settings.endpoint_name,
            variant=settings.variant_name,
            now=datetime.now(UTC),
            plan=plan,
            train_rows=train_rows,
        )
        yield session, stack, scenario


@contextmanager
def deployed_demo_hour(work: Path, window: demo.WindowPlan = HEALTHY_HOUR) -> Iterator[tuple]:
    """(session, stack, the demo window) for as long as the embedded AWS lives."""
    with deployed_demo(work, (window,)) as (session, stack, scenario):
        yield session, stack, scenario.windows[0]
