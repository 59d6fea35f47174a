"""The plan folder as one value: org.yaml, goals.yaml, targets.csv and access.yaml, read and checked together.

`load_plan(config)` returns a `Plan` or raises `PlanError` listing every problem of every file with its file, line and
field. Each file has its own parser (`org.py`, `goals.py` for goals.yaml and targets.csv, `access.py`); this module
only puts them together, so the goals.yaml parser knows nothing of sign-in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.plan.access import OPEN, Access, parse_access
from pipelines.plan.calendar import DEFAULT as DEFAULT_CALENDAR
from pipelines.plan.calendar import CompanyCalendar
from pipelines.plan.goals import (  # noqa: F401 - NorthStar: a Plan's field type
    DEFAULT_AT_RISK,
    DEFAULT_STALE_DAYS,
    DEFAULT_TIME_ZONE,
    NorthStar,
    Problems,
    load_goals,
    load_targets,
)
from pipelines.plan.org import Org, load_org
from pipelines.plan.yamlcheck import load_yaml


@dataclass
class Plan:
    org: Org = field(default_factory=Org)
    north_star: NorthStar | None = None
    at_risk: float = DEFAULT_AT_RISK
    key_actions: list[dict] = field(default_factory=list)  # normalised, see _key_action()
    stale_days: int = DEFAULT_STALE_DAYS                    # a manual key result's check-in older than this is stale
    targets: dict[tuple[str, str, str, str], float] = field(default_factory=dict)  # (month, level, node, metric)
    time_zone: str = DEFAULT_TIME_ZONE   # the company's: naive times in the data are in it, aware ones convert to it
    basis: str = "linear"                # status.basis: pace against the straight line or the month's own shape
    access: Access = OPEN                # access.yaml: sign-in and who sees what (pipelines.plan.access)
    calendar: CompanyCalendar = DEFAULT_CALENDAR   # goals.yaml calendar: the days a month's shape weighs apart



def load_plan(config: Path) -> Plan:
    """All three plan files from `config`, checked together; raises PlanError listing every problem."""
    config = Path(config)
    org = load_org(config)          # raises on its own problems: the other files' checks depend on it
    p = Problems()
    north_star, status, actions = load_goals(config / "goals.yaml", org, p)
    targets = load_targets(config / "targets.csv", org, p)
    access = OPEN
    if (config / "access.yaml").exists():
        access = parse_access(load_yaml(config / "access.yaml"), config / "access.yaml", org, p)
    p.raise_if_any()
    return Plan(org=org, north_star=north_star, at_risk=status["at_risk"], stale_days=status["stale_days"],
                key_actions=actions, targets=targets, time_zone=status["time_zone"], basis=status["basis"],
                access=access, calendar=status["calendar"])
