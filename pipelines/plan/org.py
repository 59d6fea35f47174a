"""org.yaml → the organisation, checked: the nodes of the war-zone tree and the centers, and the channel → center map.

Every problem names the file, the line and the field (`config/org.yaml, line 12, teams[1].id: …`), and all
problems of a file are reported together, so a person fixing a typo sees every typo at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.base.labels import Words
from pipelines.plan.yamlcheck import Problems, YMap, YSeq, check_keys, check_name, load_yaml, name_pair

UNASSIGNED = "unassigned"    # <parent>/unassigned: rows the org does not know, under their known parent


def is_unassigned(node_id: str) -> bool:
    """company/unassigned, east/unassigned, e1/unassigned, centers/unassigned: a node for data the org does not know
    (an org id may not contain '/', so no real node looks like one)."""
    return node_id.endswith("/" + UNASSIGNED)


def node_id(p: Problems, path: Path, doc, where: str) -> str | None:
    """The `id` of a node mapping, checked: present, text, no '/' (reserved for unassigned nodes)."""
    if not isinstance(doc, dict):
        p.add(path, getattr(doc, "line", None), where, "org_block")
        return None
    raw = doc.get("id")
    if raw is None or str(raw).strip() == "":
        p.add(path, doc.line, f"{where}id", "yaml_missing_id")
        return None
    value = str(raw).strip()
    if "/" in value or " " in value:
        p.add(path, doc.line_of("id"), f"{where}id", "org_id_chars", value=value)
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
        p.add(path, 1, "", "org_shape")
        p.raise_if_any()
    check_keys(p, path, doc, "", ORG_KEYS)
    org = Org(source=str(path), doc=plain(doc))
    seen: dict[str, tuple[str, int, str]] = {}   # id → (level, line, parent)

    def register(nid: str | None, level: str, line: int, where: str, parent: str | None) -> bool:
        if nid is None:
            return False
        if nid in seen:
            other_level, other_line, other_parent = seen[nid]
            if level == other_level == "team" or level == other_level == "person" or {level, other_level} <= {
                    "person", "center_person"}:
                team = level == "team"
                if other_parent != parent:
                    p.add(path, line, f"{where}id", "org_team_in_two" if team else "org_person_in_two", id=nid,
                          other=other_parent, first=other_line, parent=parent)
                else:
                    p.add(path, line, f"{where}id", "org_team_twice" if team else "org_person_twice", id=nid,
                          first=other_line, parent=parent)
            else:
                p.add(path, line, f"{where}id", "org_id_used", id=nid, what=Words(f"org_level_{other_level}"),
                      first=other_line)
            return False
        seen[nid] = (level, line, parent or "")
        return True

    company = doc.get("company") or YMap()
    if not isinstance(company, dict):
        p.add(path, doc.line_of("company"), "company", "org_company")
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
            p.add(path, parent_doc.line_of(key), f"{where}{key}", "org_not_list")
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
                p.add(path, cline, f"{where}channels", "org_channel_owned", channel=ch, center=owners[ch][0],
                      first=owners[ch][1])
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
