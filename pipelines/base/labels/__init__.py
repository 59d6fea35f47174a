"""Every word Northstar shows or sends, in Chinese and English, in one table keyed by name.

The screens (`ui.i18n.t`), the brief and the Excel (`say`), the statuses, the reasons a row was rejected and the
errors a person reads (`NorthstarError(code, **values)`) all look their words up here, so a sentence is written once
per language and a Chinese page never falls back to English because the English was reworded.

The table is assembled from one part per subject (screens, words, rejects, errors); a key is defined once.
`{name}` placeholders are filled by `say`; a reject's detail uses `{0}`, `{1}`… because the SQL fills it by position.
"""
from __future__ import annotations

from pipelines.base.labels.errors import ERRORS
from pipelines.base.labels.rejects import DETAILS, REASONS
from pipelines.base.labels.screens import SCREENS
from pipelines.base.labels.words import WORDS

PARTS: dict[str, dict[str, tuple[str, str]]] = {"screens": SCREENS, "words": WORDS, "rejects": {**REASONS, **DETAILS},
                                                "errors": ERRORS}


def _assemble() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for part, labels in PARTS.items():
        twice = sorted(set(table) & set(labels))
        if twice:
            raise RuntimeError(f"label {twice[0]!r} is defined twice (again in pipelines/base/labels/{part}.py)")
        table.update(labels)
    return table


LABELS: dict[str, tuple[str, str]] = _assemble()


def say(key: str, lang: str, *args, **values) -> str:
    """The label `key` in `lang` ("zh" or "en"), its placeholders filled; a value that is itself words (`Words`, or a
    list of them) is worded in the same language."""
    zh, en = LABELS[key]
    label = zh if lang == "zh" else en
    if not args and not values:
        return label
    return label.format(*(_worded(a, lang) for a in args), **{k: _worded(v, lang) for k, v in values.items()})


class Words(str):
    """A sentence that can say itself in either language: as a string it is the English (the command line, the
    logs, a comparison in a test); `words("zh")` is the Chinese, with the same values. A report's problems and a
    build's checks are Words, so a page shows them in the reader's language without translating English back."""

    def __new__(cls, key: str, /, *args, **values):
        self = super().__new__(cls, say(key, "en", *args, **values))
        self.key, self.args, self.values = key, args, values
        return self

    def __call__(self, lang: str) -> str:
        return say(self.key, lang, *self.args, **self.values)

    def map(self, fn) -> "Words":
        """The same sentence with `fn` applied to each text value (a server path → the name a person gave)."""
        def one(v):
            return v.map(fn) if isinstance(v, Words) else fn(v) if isinstance(v, str) else v
        return Words(self.key, *(one(a) for a in self.args), **{k: one(v) for k, v in self.values.items()})

    def __reduce__(self):
        return (_words, (self.key, self.args, self.values))

    def __repr__(self) -> str:
        return f"Words({self.key!r}, {str(self)!r})"


def _words(key, args, values) -> Words:
    return Words(key, *args, **values)


def words(value, lang: str) -> str:
    """`value` in `lang` if it is Words, else as it is (a sentence from outside: a library's message)."""
    return value(lang) if isinstance(value, Words) else str(value)


def _worded(value, lang: str):
    if isinstance(value, Words):
        return value(lang)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Words) for v in value):
        return ("；" if lang == "zh" else "; ").join(v(lang) for v in value)
    return value
