"""The one checker for the plan folder's YAML (org.yaml, goals.yaml, access.yaml, channels.yaml, sources.yaml): YAML
that remembers the line of every key and item, and the checks every list of those files shares — a list of blocks,
each with an id that is present and used once, known keys only, a value from a fixed set.

Every problem names the file, the line and the field (`config/org.yaml, line 12, teams[1].id: …`) and is a label's
code with its values (pipelines/base/labels/errors.py), so a page says it in the reader's language; all problems of
a file are reported together, so a person fixing a typo sees every typo at once.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import LABELS, Words, say, words


class PlanError(NorthstarError):
    """One or more problems in the plan files, each with file, line and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("plan_problem" if len(problems) == 1 else "plan_problems", n=len(problems))

    def words(self, lang: str) -> str:
        """Every problem on a line of its own (the first 20), each in `lang` where it has words of its own."""
        shown = [words(p, lang) for p in self.problems[:20]]
        if len(self.problems) > len(shown):
            shown.append(say("plan_more", lang, n=len(self.problems) - len(shown)))
        return say(self.code, lang, n=len(self.problems), items="\n  ".join(shown))


class Problems:
    """Collects problems while checking a file; `raise_if_any()` raises them as one PlanError. A problem is a label's
    code and its values (`p.add(path, line, "users[0].role", "yaml_one_of", value=…, known=…)`); each item is Words:
    the English as a string, the reader's language on a page."""

    def __init__(self):
        self.items: list[Words] = []

    def add(self, path: Path | str, line: int | None, where: str, code: str, **values) -> None:
        message = Words(code, **values) if code in LABELS else code       # (a sentence from a library: as it is)
        self.items.append(Words("yaml_problem", path=str(path), at=Words("yaml_line", line=line) if line else "",
                                field=Words("yaml_field", where=where) if where else "", message=message))

    def raise_if_any(self) -> None:
        if self.items:
            raise PlanError(self.items)


# ---- YAML that remembers where each value came from -----------------------------------------------------------

class YMap(dict):
    """A YAML mapping with the line of the mapping and of each key (1-based)."""

    line: int = 0
    key_lines: dict
    duplicates: list

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class YSeq(list):
    """A YAML sequence with the line of the sequence and of each item (1-based)."""

    line: int = 0
    item_lines: list

    def line_of(self, i: int) -> int:
        return self.item_lines[i] if 0 <= i < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YMap:
    loader.flatten_mapping(node)
    out = YMap()
    out.line, out.key_lines, out.duplicates = node.start_mark.line + 1, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
        if key in out:
            out.duplicates.append((key, key_node.start_mark.line + 1))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> YSeq:
    out = YSeq(loader.construct_object(child, deep=True) for child in node.value)
    out.line, out.item_lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    """A date as a date; one that looks like a date but is none (2026-02-30) as its text, so that the field's own
    check names it, with its line, instead of the file failing to load."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_yaml(path: Path):
    """Parses one YAML file into YMap/YSeq values; a syntax error names the file and the line."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        p = Problems()
        p.add(path, mark.line + 1 if mark is not None else None, "", "yaml_invalid_at",
              err=str(getattr(exc, "problem", None) or exc))
        p.raise_if_any()
    except UnicodeDecodeError:
        p = Problems()
        p.add(path, None, "", "yaml_not_utf8")
        p.raise_if_any()


def check_keys(p: Problems, path: Path, doc: YMap, where: str, allowed: set[str]) -> None:
    """Unknown keys are usually typos (`war_zone:` for `war_zones:`): name them and the keys that are allowed."""
    for key, line in getattr(doc, "duplicates", []):
        p.add(path, line, f"{where}{key}" if where else str(key), "yaml_key_twice")
    for key in doc:
        if key not in allowed:
            p.add(path, doc.line_of(key), f"{where}{key}", "yaml_unknown_key", known=", ".join(sorted(allowed)))


def name_pair(value, fallback: str) -> tuple[str, str]:
    """A name in config is one string or {zh, en}; returns (zh, en), each falling back to the other."""
    if isinstance(value, dict):
        zh = str(value.get("zh") or value.get("en") or fallback)
        en = str(value.get("en") or value.get("zh") or fallback)
        return zh, en
    if value is None:
        return fallback, fallback
    return str(value), str(value)


def check_name(p: Problems, path: Path, doc: YMap, where: str) -> None:
    value = doc.get("name", doc.get("title"))
    key = "name" if "name" in doc else "title"
    if isinstance(value, dict):
        check_keys(p, path, value, f"{where}{key}.", {"zh", "en"})
        if not (value.get("zh") or value.get("en")):
            p.add(path, doc.line_of(key), f"{where}{key}", "yaml_name_empty")
    elif value is not None and not isinstance(value, (str, int)):
        p.add(path, doc.line_of(key), f"{where}{key}", "yaml_name_shape")


# ---- the checks every list of blocks shares ----------------------------------------------------------------------

def entries(p: Problems, path: Path, doc: YMap, key: str, shape: str) -> Iterator[tuple[int, YMap, str]]:
    """The blocks of the list `doc[key]` (none when absent): (index, block, "key[i]."). A list that is not one, or
    an item that is not a block, is a problem naming `shape` (what a block holds, e.g. "{id, type, …}")."""
    raw = doc.get(key) or []
    if not isinstance(raw, list):
        p.add(path, doc.line_of(key), key, "yaml_not_list", shape=shape)
        return
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            p.add(path, raw.line_of(i) if isinstance(raw, YSeq) else None, f"{key}[{i}]", "yaml_not_block",
                  shape=shape)
            continue
        yield i, item, f"{key}[{i}]."


def unique_id(p: Problems, path: Path, block: YMap, where: str, seen: dict, missing: str = "yaml_missing_id",
              fold: bool = False, **values) -> str | None:
    """The block's id, present and not used before in this list (`seen`: id → line; `fold`: ids that differ in
    case only are the same, as sign-in names are); else a problem and None."""
    value = str(block.get("id") or "").strip()
    if not value:
        p.add(path, block.line, f"{where}id", missing, **values)
        return None
    key = value.casefold() if fold else value
    if key in seen:
        p.add(path, block.line_of("id"), f"{where}id", "yaml_id_twice", value=value, first=seen[key])
        return None
    seen[key] = block.line_of("id")
    return value


def one_of(p: Problems, path: Path, block: YMap, key: str, where: str, known, default=None):
    """`block[key]` when it is one of `known` (or absent, giving `default`); else a problem and None."""
    value = block.get(key, default)
    if value in known:
        return value
    p.add(path, block.line_of(key), f"{where}{key}", "yaml_one_of", value=repr(value), known=", ".join(known))
    return None
