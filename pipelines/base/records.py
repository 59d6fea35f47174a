"""The base of the goal tree's typed values (status.MetricValue, goaltree.Node, keyactions.KeyAction and
KeyResult): frozen dataclasses read by attribute only (`node.level`, never `node["level"]`: issue 34 found 121
dict-style reads that no type checker or reader could follow). Their containers are frozen too — a node's metrics
are a read-only mapping, lists are tuples — so nothing downstream can change a number after the tree is built.
`fields()` gives the values in declaration order for the machine outputs (JSON, CSV)."""
from __future__ import annotations


class Record:
    """Frozen-dataclass base: attribute reads, `fields()` for the outputs, a readable repr."""

    __slots__ = ()

    def fields(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def __eq__(self, other) -> bool:
        """Equal when of one type with equal fields (the trees of two readers compare node by node)."""
        return type(self) is type(other) and self.fields() == other.fields()

    __hash__ = None      # equal by value, so not hashable (as the mappings these replaced were not)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.fields().items())})"


class FrozenMap(dict):
    """A dict no one can change (`m[k] = v`, `del`, `update`… raise TypeError) that still pickles — the app's cache
    keeps trees pickled — and writes as JSON like any dict."""

    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("a record's mapping is read-only")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):
        return FrozenMap, (dict(self),)


def frozen_map(mapping) -> FrozenMap:
    """A read-only copy of `mapping` (the same object when it already is one)."""
    return mapping if isinstance(mapping, FrozenMap) else FrozenMap(mapping)
