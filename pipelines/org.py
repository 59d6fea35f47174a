"""Reads org.yaml into flat rows: the nodes of the war-zone tree and the centers, and the channel → center map.

Only what the build needs to attribute data; the full plan checks live with the plan loader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.errors import NorthstarError


def name_pair(value, fallback: str) -> tuple[str, str]:
    """A name in config is one string or {zh, en}; returns (zh, en), each falling back to the other."""
    if isinstance(value, dict):
        zh = str(value.get("zh") or value.get("en") or fallback)
        en = str(value.get("en") or value.get("zh") or fallback)
        return zh, en
    if value is None:
        return fallback, fallback
    return str(value), str(value)


@dataclass
class Org:
    """Flat view of the organisation."""

    nodes: list[dict] = field(default_factory=list)      # id, parent, level, name_zh, name_en, ord
    channels: list[dict] = field(default_factory=list)   # channel, center
    source: str = ""

    def ids(self, level: str) -> set[str]:
        return {n["id"] for n in self.nodes if n["level"] == level}


def load_yaml(path: Path):
    """Parses one YAML file; a syntax error names the file and the line."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise NorthstarError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}). "
                             "Fix the file or restore it from the sample (python -m pipelines sample).") from None
    except UnicodeDecodeError:
        raise NorthstarError(f"{path}: not UTF-8 text. Save it as UTF-8 and build again.") from None


def load_org(config: Path) -> Org:
    """The org from `config/org.yaml`; an empty Org when the file is absent (everything is then unassigned)."""
    path = config / "org.yaml"
    if not path.exists():
        return Org()
    doc = load_yaml(path) or {}
    if not isinstance(doc, dict):
        raise NorthstarError(f"{path}: expected a mapping with company, war_zones and centers.")
    org = Org(source=str(path))
    company = doc.get("company") or {}
    cid = str(company.get("id") or "company")
    zh, en = name_pair(company.get("name"), cid)
    org.nodes.append(dict(id=cid, parent=None, level="company", name_zh=zh, name_en=en, ord=0))
    order = 1
    for zone in doc.get("war_zones") or []:
        zid = str(zone["id"])
        zh, en = name_pair(zone.get("name"), zid)
        org.nodes.append(dict(id=zid, parent=cid, level="war_zone", name_zh=zh, name_en=en, ord=order))
        order += 1
        for team in zone.get("teams") or []:
            tid = str(team["id"])
            zh, en = name_pair(team.get("name"), tid)
            org.nodes.append(dict(id=tid, parent=zid, level="team", name_zh=zh, name_en=en, ord=order))
            order += 1
            for person in team.get("people") or []:
                pid = str(person["id"])
                zh, en = name_pair(person.get("name"), pid)
                org.nodes.append(dict(id=pid, parent=tid, level="person", name_zh=zh, name_en=en, ord=order))
                order += 1
    for center in doc.get("centers") or []:
        ctr = str(center["id"])
        zh, en = name_pair(center.get("name"), ctr)
        org.nodes.append(dict(id=ctr, parent=cid, level="center", name_zh=zh, name_en=en, ord=order))
        order += 1
        for channel in center.get("channels") or []:
            org.channels.append(dict(channel=str(channel), center=ctr))
    return org
