"""The one exception type that means "bad input or configuration" (exit 1, reason in message)."""


class InputError(Exception):
    """A problem with an input file or setting; the message names the file/setting and the fix."""
