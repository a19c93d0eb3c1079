"""The trend page's states: RenderTrend after EvaluateViolations, RenderTrendNoData after NoData,
RenderTrendAfterRetraining after NotifyRetrained (so the page shows what the retraining did).

Both invoke the trend Lambda (``trend_report.app``) and keep its result as ``$.trend``. A
failure is caught into ``$.trend_error`` and the run goes on to ``then``: a chart must never
stop a retrain or turn an empty window into a failed run. Kept out of ``definition.py`` (which
wires them in) so that file stays small.
"""

from __future__ import annotations

from stepfunctions.steps import Catch, LambdaStep
from stepfunctions.steps.states import State

from workflow.asl_parts import lambda_task, merge_field

TREND_RESULT_PATH = "$.trend"
TREND_FIELDS = ("trend_uri", "window_count", "rejected_count")
TREND_ERROR_PATH = "$.trend_error"


def trend_step(
    state_id: str,
    then: State,
    *,
    no_data: bool = False,
    failed: bool = False,
    publish_metrics: bool = True,
) -> LambdaStep:
    """Re-render the endpoint's trend page once this window's record exists (written by
    EvaluateViolations), so the page marks the current window's decision; with ``no_data``
    the function writes the empty window's record itself. Without ``publish_metrics`` (a second
    render of the same window, after its retraining) no window metric is published again.
    With ``failed`` (the failure path, once the merge had named the window) the function records
    the window as failed unless it already has a record. Continues with ``then``, also on
    error."""
    payload: dict[str, object] = {"endpoint_name.$": merge_field("endpoint_name")}
    if failed:
        publish_metrics = False
        payload["failed"] = {
            "window.$": merge_field("window"),
            "run_id.$": merge_field("run_id"),
            "state.$": "$.failure.state",
            "subject.$": "$.failure_notice.subject",
        }
    if publish_metrics:
        payload["window_slug.$"] = merge_field("window.slug")
    if no_data:
        payload["no_data"] = {
            "window.$": merge_field("window"),
            "run_id.$": merge_field("run_id"),
            "manifest_uri.$": merge_field("manifest_uri"),
        }
    step = lambda_task(
        state_id,
        "Re-render the endpoint's trend page (every window's decision, drift and accuracy).",
        "TrendFunctionArn",
        payload,
        TREND_RESULT_PATH,
        TREND_FIELDS,
    )
    step.add_catch(Catch(error_equals=["States.ALL"], result_path=TREND_ERROR_PATH, next_step=then))
    step.next(then)
    return step
