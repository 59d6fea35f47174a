"""The base of the goal tree's typed objects (status.MetricValue, goaltree.Node, keyactions.KeyAction and
KeyResult): frozen dataclasses that can also be read by field name (`node["level"]`, `dict(value)`), so the JSON,
the pages and the tests read them as they read the dicts these replaced, while nothing can change them after the
tree is built."""
from __future__ import annotations

from collections.abc import Iterator, Mapping


class Record(Mapping):
    """Read-only mapping over a dataclass's fields (properties and methods are not keys)."""

    __slots__ = ()

    def __getitem__(self, key: str):
        if key in self.__dataclass_fields__:
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self)})"
