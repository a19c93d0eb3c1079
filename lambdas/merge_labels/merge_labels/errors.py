"""Exceptions whose class names become the Step Functions error name (Lambda ``errorType``)."""


class MergeError(Exception):
    """Base class of the merge function's own errors."""


class ConfigError(MergeError, ValueError):
    """A setting (environment variable or argument) is missing or invalid."""


class MergeInputError(MergeError, ValueError):
    """The invocation event (execution input) is invalid: bad window, endpoint name, time."""


class BaselineSchemaError(MergeError, ValueError):
    """``baselines/{endpoint}/schema.json`` is missing or invalid."""
