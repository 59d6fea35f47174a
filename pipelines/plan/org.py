"""org.yaml → the organisation, checked: the nodes of the war-zone tree and the centers, and the channel → center map.

Every problem names the file, the line and the field (`config/org.yaml, line 12, teams[1].id: …`), and all
problems of a file are reported together, so a person fixing a typo sees every typo at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import say, words


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
    """Collects problems while checking a file; `raise_if_any()` raises them as one PlanError."""

    def __init__(self):
        self.items: list[str] = []

    def add(self, path: Path | str, line: int | None, where: str, message: str) -> None:
        at = f", line {line}" if line else ""
        field_ = f", {where}" if where else ""
        self.items.append(f"{path}{at}{field_}: {message}")

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


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_yaml(path: Path):
    """Parses one YAML file into YMap/YSeq values; a syntax error names the file and the line."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise PlanError([f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc}). "
                         "Check the indentation and the colons on that line"]) from None
    except UnicodeDecodeError:
        raise PlanError([f"{path}: not UTF-8 text. Save it as UTF-8"]) from None


def check_keys(p: Problems, path: Path, doc: YMap, where: str, allowed: set[str]) -> None:
    """Unknown keys are usually typos (`war_zone:` for `war_zones:`): name them and the keys that are allowed."""
    for key, line in getattr(doc, "duplicates", []):
        p.add(path, line, f"{where}{key}" if where else str(key), "this key appears twice in the same block")
    for key in doc:
        if key not in allowed:
            p.add(path, doc.line_of(key), f"{where}{key}",
                  f"unknown field (expected one of: {', '.join(sorted(allowed))})")


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
            p.add(path, doc.line_of(key), f"{where}{key}", "give the name in zh, en or both")
    elif value is not None and not isinstance(value, (str, int)):
        p.add(path, doc.line_of(key), f"{where}{key}", "a name is text or {zh: …, en: …}")


UNASSIGNED = "unassigned"    # <parent>/unassigned: rows the org does not know, under their known parent


def is_unassigned(node_id: str) -> bool:
    """company/unassigned, east/unassigned, e1/unassigned, centers/unassigned: a node for data the org does not know
    (an org id may not contain '/', so no real node looks like one)."""
    return node_id.endswith("/" + UNASSIGNED)


def node_id(p: Problems, path: Path, doc, where: str) -> str | None:
    """The `id` of a node mapping, checked: present, text, no '/' (reserved for unassigned nodes)."""
    if not isinstance(doc, dict):
        p.add(path, getattr(doc, "line", None), where, "expected a block with an id, e.g. {id: east, name: 华东战区}")
        return None
    raw = doc.get("id")
    if raw is None or str(raw).strip() == "":
        p.add(path, doc.line, f"{where}id", "missing id")
        return None
    value = str(raw).strip()
    if "/" in value or " " in value:
        p.add(path, doc.line_of("id"), f"{where}id",
              f"{value!r}: ids may not contain spaces or '/' ('/' marks unassigned nodes)")
        return None
    return value


@dataclass
class Org:
    """Flat view of the organisation."""

    nodes: list[dict] = field(default_factory=list)      # id, parent, level, name_zh, name_en, ord
    channels: list[dict] = field(default_factory=list)  # channel, center
    # id, center, name_zh, name_en (center staff, not in the tree)
    center_people: list[dict] = field(default_factory=list)
    source: str = ""
    doc: dict = field(default_factory=dict)              # the file as parsed (plain dicts), for the plan store

    def ids(self, level: str) -> set[str]:
        return {n["id"] for n in self.nodes if n["level"] == level}

    @property
    def company_id(self) -> str:
        return next((n["id"] for n in self.nodes if n["level"] == "company"), "company")

    def people_ids(self) -> set[str]:
        """Everyone who can own a key action: the war-zone tree's people and the centers' staff."""
        return self.ids("person") | {p["id"] for p in self.center_people}


ORG_KEYS = {"company", "war_zones", "centers"}
LEVEL_WORD = {"company": "the company", "war_zone": "a war zone", "team": "a team", "person": "a person",
              "center": "a center", "center_person": "a center's staff"}


def plain(value):
    """YMap/YSeq → dict/list (for JSON and for writing YAML back)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def as_yaml(value):
    """Plain data (a form's, or the plan store's) as the YAML loader's values without lines, so the config checks
    apply to it as they are."""
    if isinstance(value, dict):
        out = YMap({k: as_yaml(v) for k, v in value.items()})
        out.line, out.key_lines, out.duplicates = 0, {}, []
        return out
    if isinstance(value, list):
        seq = YSeq(as_yaml(v) for v in value)
        seq.line, seq.item_lines = 0, []
        return seq
    return value


def org_from_doc(doc: dict | None) -> Org:
    """The org as the plan store keeps it (org.yaml's content as plain data), checked like the file."""
    if not doc:
        return Org()
    return _parse_org(as_yaml(doc), "org.yaml (plan store)")


def load_org(config: Path) -> Org:
    """The org from `config/org.yaml`, checked; an empty Org when the file is absent (everything is then unassigned)."""
    path = Path(config) / "org.yaml"
    if not path.exists():
        return Org()
    return _parse_org(load_yaml(path), path)


def _parse_org(doc, path) -> Org:
    p = Problems()
    if doc is None:
        doc = YMap()
        doc.line, doc.key_lines, doc.duplicates = 1, {}, []
    if not isinstance(doc, dict):
        p.add(path, 1, "", "expected a mapping with company, war_zones and centers")
        p.raise_if_any()
    check_keys(p, path, doc, "", ORG_KEYS)
    org = Org(source=str(path), doc=plain(doc))
    seen: dict[str, tuple[str, int, str]] = {}   # id → (level, line, parent)

    def register(nid: str | None, level: str, line: int, where: str, parent: str | None) -> bool:
        if nid is None:
            return False
        if nid in seen:
            other_level, other_line, other_parent = seen[nid]
            if level == other_level == "team":
                msg = (
                    f"team {nid} is in two war zones: {other_parent} (line {other_line}) and {parent}"
                    if other_parent != parent
                    else f"team {nid} is listed twice in {parent} (also line {other_line})"
                )
            elif level == other_level == "person" or {level, other_level} <= {"person", "center_person"}:
                msg = (f"person {nid} is in two teams: {other_parent} (line {other_line}) and {parent}"
                       if other_parent != parent else f"person {nid} is listed twice in {parent} (also line "
                                                      f"{other_line})")
            else:
                msg = f"id {nid} is already used for {LEVEL_WORD[other_level]} (line {other_line}); ids must be unique"
            p.add(path, line, f"{where}id", msg)
            return False
        seen[nid] = (level, line, parent or "")
        return True

    company = doc.get("company") or YMap()
    if not isinstance(company, dict):
        p.add(path, doc.line_of("company"), "company", "expected {id: company, name: {zh: …, en: …}}")
        company = YMap()
        company.line, company.key_lines, company.duplicates = doc.line_of("company"), {}, []
    if company:
        check_keys(p, path, company, "company.", {"id", "name"})
        check_name(p, path, company, "company.")
    cid = (node_id(p, path, company, "company.") if company.get("id") is not None else None) or "company"
    zh, en = name_pair(company.get("name"), cid)
    register(cid, "company", company.line or 1, "company.", None)
    org.nodes.append(dict(id=cid, parent=None, level="company", name_zh=zh, name_en=en, ord=0))
    order = 1

    def items(parent_doc, key: str, where: str) -> list[tuple[int, object, int]]:
        value = parent_doc.get(key) if isinstance(parent_doc, dict) else None
        if value is None:
            return []
        if not isinstance(value, list):
            p.add(path, parent_doc.line_of(key), f"{where}{key}", "expected a list (lines starting with '- ')")
            return []
        return [(i, v, value.line_of(i)) for i, v in enumerate(value)]

    def add(doc_, where: str, level: str, parent: str, keys: set[str]) -> str | None:
        """One node of the org: its id and keys checked, registered once, appended in order (None: skipped)."""
        nonlocal order
        nid = node_id(p, path, doc_, where)
        if nid is None:
            return None
        check_keys(p, path, doc_, where, keys)
        check_name(p, path, doc_, where)
        if not register(nid, level, doc_.line_of("id"), where, parent):
            return None
        zh, en = name_pair(doc_.get("name"), nid)
        org.nodes.append(dict(id=nid, parent=parent, level=level, name_zh=zh, name_en=en, ord=order))
        order += 1
        return nid

    for zi, zone, _zline in items(doc, "war_zones", ""):
        where = f"war_zones[{zi + 1}]."
        zid = add(zone, where, "war_zone", cid, {"id", "name", "teams"})
        if zid is None:
            continue
        for ti, team, _ in items(zone, "teams", where):
            twhere = f"{where}teams[{ti + 1}]."
            tid = add(team, twhere, "team", zid, {"id", "name", "people"})
            if tid is None:
                continue
            for pi, person, _ in items(team, "people", twhere):
                add(person, f"{twhere}people[{pi + 1}].", "person", tid, {"id", "name"})

    owners: dict[str, tuple[str, int]] = {}
    for ci, center, _ in items(doc, "centers", ""):
        where = f"centers[{ci + 1}]."
        ctr = add(center, where, "center", cid, {"id", "name", "channels", "people"})
        if ctr is None:
            continue
        for _, channel, cline in items(center, "channels", where):
            ch = str(channel).strip()
            if ch in owners:
                p.add(path, cline, f"{where}channels",
                      f"channel {ch} is already owned by center {owners[ch][0]} (line {owners[ch][1]}); "
                      "a channel belongs to one center")
                continue
            owners[ch] = (ctr, cline)
            org.channels.append(dict(channel=ch, center=ctr))
        for pi, person, _ in items(center, "people", where):
            pwhere = f"{where}people[{pi + 1}]."
            pid = node_id(p, path, person, pwhere)
            if pid is None:
                continue
            check_keys(p, path, person, pwhere, {"id", "name"})
            if not register(pid, "center_person", person.line_of("id"), pwhere, ctr):
                continue
            zh, en = name_pair(person.get("name"), pid)
            org.center_people.append(dict(id=pid, center=ctr, name_zh=zh, name_en=en))
    p.raise_if_any()
    return org
