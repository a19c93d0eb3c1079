"""Run our Lambda handlers in-process when moto's Step Functions engine invokes a function.

moto (with ``lambda.use_docker=False``) sends every invoke to
``LambdaSimpleBackend.invoke``, which only echoes. We patch that one method: look up the
function moto holds, import the handler its ``Handler`` names (``package.module.function``),
call it with the decoded payload, the function's environment and a small context, and return
the JSON-encoded result. What the handler prints (Powertools' JSON logs and EMF metrics) goes
to ``{log_dir}/{function}.log``, as it would go to CloudWatch Logs. A handler exception becomes
the error Lambda itself reports (``x-amz-function-error`` + ``errorType``), so Retry/Catch in
the state machine behave as on AWS.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import logging
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from moto.awslambda_simple.models import LambdaSimpleBackend

from workflow.offline.environment import temporary_environment


@dataclass
class LambdaContext:
    """The attributes of the AWS Lambda context object our handlers (and Powertools) read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/offline"
    log_stream_name: str = "offline"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def _resolve_handler(handler: str) -> Callable[[dict, Any], Any]:
    module_name, _, function_name = handler.rpartition(".")
    if not module_name:
        raise ValueError(f"Handler {handler!r} must look like 'package.module.function'")
    return getattr(importlib.import_module(module_name), function_name)


@contextlib.contextmanager
def _fresh_logging() -> Iterator[None]:
    """Leave the logging configuration as the invocation found it.

    On AWS every function has its own process, so the handlers a function's logger attaches
    (Powertools binds its stream when first configured) never reach another function. In one
    process we restore each logger's attributes and handlers after the call, so the next
    invocation, of this function or another, configures its logging afresh.
    """
    loggers = logging.Logger.manager.loggerDict
    before = {
        name: (dict(vars(logger)), list(logger.handlers))
        for name, logger in loggers.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        for name, logger in list(loggers.items()):
            if not isinstance(logger, logging.Logger):
                continue
            attributes, handlers = before.get(name, ({}, []))
            for handler in [h for h in logger.handlers if h not in handlers]:
                logger.removeHandler(handler)
            if name in before:
                added = set(vars(logger)) - set(attributes)
                vars(logger).update({k: v for k, v in attributes.items() if k != "handlers"})
            else:  # created during the call: keep it, but unconfigured
                added = {
                    k
                    for k in vars(logger)
                    if k.startswith("powertools") or k in ("init", "logger_handler")
                }
            for key in added:
                delattr(logger, key)


# Environment variables are process-wide; two handlers must not interleave their settings.
_ENV_LOCK = threading.Lock()


@contextlib.contextmanager
def _function_environment(variables: dict[str, str]) -> Iterator[None]:
    with _ENV_LOCK, temporary_environment(variables):
        yield


def _invoke_in_process(
    self: LambdaSimpleBackend,
    log_dir: Path,
    function_name,
    qualifier,
    body,
    headers,
    response_headers,
) -> bytes:
    function = self.get_function(function_name, qualifier)
    event = json.loads(body) if body else {}
    context = LambdaContext(
        function_name=function.function_name, invoked_function_arn=function.function_arn
    )
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        with (
            _function_environment(dict(function.environment_vars or {})),
            open(log_dir / f"{function.function_name}.log", "a", encoding="utf-8") as log,
            contextlib.redirect_stdout(log),
            _fresh_logging(),
        ):
            result = _resolve_handler(function.handler or "")(event, context)
    except Exception as exc:  # the handler's failure is the task's failure, as on AWS
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(
            {
                "errorType": type(exc).__name__,
                "errorMessage": str(exc),
                "stackTrace": traceback.format_exception(exc),
            }
        ).encode()
    return json.dumps(result).encode()


@contextlib.contextmanager
def handlers_in_process(log_dir: Path) -> Iterator[None]:
    """While active, every Lambda invoke in moto runs our handler in this process."""
    with mock.patch.object(
        LambdaSimpleBackend, "invoke", functools.partialmethod(_invoke_in_process, Path(log_dir))
    ):
        yield
