"""The one error of the capture format: a line (or payload) that cannot be used."""

from __future__ import annotations


class RecordError(ValueError):
    """One capture or label line cannot be used; the message is the quarantine reason."""
