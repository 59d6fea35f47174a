"""The one error type a person sees: a code and its values, worded in the reader's language from the label table.

    raise NorthstarError("warehouse_missing", db=path)

`str(exc)` is the English sentence (the command line, the logs); `exc.words("zh")` is the Chinese one for a page.
The code is the label's key (pipelines/base/labels/errors.py); a value may itself be `Words` (a sentence not yet in a
language), worded in the same language. tests/test_errors.py holds every raise to a label whose placeholders match.
"""
from __future__ import annotations

from pipelines.base.labels import LABELS, Words, say


class NorthstarError(Exception):
    """An expected failure with a sentence written for a person (no traceback is shown for it)."""

    def __init__(self, code: str, /, **values):
        self.code, self.values = code, values
        super().__init__(self.words("en"))

    def words(self, lang: str) -> str:
        """What went wrong and what to do, in `lang`. A code without a label is a sentence the code has not been
        given one for yet: it is shown as it is (tests/test_errors.py lists where that is left)."""
        if self.code in LABELS:
            return say(self.code, lang, **self.values)
        return self.code

    def __reduce__(self):        # pickles (across a process) as its code and values, not as its English
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls, state):
    exc = Exception.__new__(cls)
    exc.__dict__.update(state)
    Exception.__init__(exc, exc.words("en"))
    return exc


__all__ = ["NorthstarError", "Words"]
