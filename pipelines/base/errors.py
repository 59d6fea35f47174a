"""The one error type a person sees: a message that says what went wrong and what to do."""


class NorthstarError(Exception):
    """An expected failure with a message written for a person (no traceback is shown for it)."""
