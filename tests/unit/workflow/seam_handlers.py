"""Tiny Lambda handlers for the seam tests, resolved by name as the Handler field names them."""

import os


def echo(event, context):
    return {"seen": event, "function": context.function_name, "env": os.environ.get("GREETING")}


def explode(event, context):
    raise ValueError(f"bad input: x={event.get('x')}")


def logs(event, context):
    import logging
    import sys

    logger = logging.getLogger("seam-test")
    logger.addHandler(logging.StreamHandler(sys.stdout))
    logger.setLevel(logging.INFO)  # other imports (the SageMaker SDK) raise the root level
    logger.init = True  # what Powertools marks a configured logger with
    logger.warning("logged by the handler")
    print("printed by the handler")
    return {}
