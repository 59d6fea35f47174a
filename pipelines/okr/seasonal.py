"""The shape of a month, learned from a node's own history (issue 22): how much of a month's result each day
carries, so that pace on 10 November is judged against Double 11 still to come and pace in February against the
Chinese New Year fortnight, not against a straight line.

The model, in plain words. Every day's count is compared with the node's ordinary level around it (the mean of the
other ordinary days within three weeks either side: six whole weeks), which gives the day a ratio: 1 is an ordinary
day, 2.6 a day with 2.6 times the usual joins. From the history up to the day before the month:

- a **weekday factor** per day of the week: the mean ratio of the ordinary days that fall on it (scaled to a mean
  of 1), so a weekend that sells less weighs less;
- an **event factor** per calendar event (pipelines/plan/calendar.py, the one the warehouse was built with): the
  company's own days (goals.yaml `calendar:`), each day from 7 days before to 10 days after Chinese New Year by its
  distance from the lunar new year (so the fortnight moves from late January to mid-February with the lunar
  calendar), Double 11 (11-11), Double 12 (12-12) and 618 (06-18), China's public holidays and make-up workdays:
  what those days counted over what ordinary days of their weekdays would have counted, both with `PRIOR_EVENTS`
  (3) ordinary events added, so a festival seen in a handful of openings stays close to an ordinary day.

A day of the month weighs `weekday factor × event factor` (1 for a day without an event), and the expected share
of the month's result by day D is the weights of days 1…D over the weights of the whole month. With no history
(less than a year of days, or fewer than `MIN_COUNT` events in it) there is no profile, and the caller falls back
to the parent's, then the company's, then the straight line (every day weighs 1: D / days in the month).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from pipelines.plan.calendar import CNY_AFTER, CNY_BEFORE, DEFAULT, CompanyCalendar, lunar_new_year  # noqa: F401

LEVEL_DAYS = 21           # the ordinary level: ordinary days within this many days either side
MIN_LEVEL_DAYS = 10       # … of which at least this many, or the day is not compared
MIN_HISTORY_DAYS = 365
MIN_COUNT = 100           # events in the history (joins, openings) below which a node's own shape is noise
PRIOR_EVENTS = 3.0        # an event factor starts from 1 as if this many ordinary events had been seen


def event_of(day: dt.date, calendar: CompanyCalendar = DEFAULT) -> str | None:
    """The calendar event a day belongs to (pipelines/plan/calendar.py): a company's own day `co:<id>`, `cny-7` …
    `cny+10` (days from the lunar new year), `d11`, `d12`, `d618`, China's public holidays `cn:<holiday>` and
    make-up workdays `cn:makeup`, or None for an ordinary day."""
    return calendar.event_of(day)


@lru_cache(maxsize=256)
def _days(start: dt.date, end: dt.date, calendar: CompanyCalendar = DEFAULT) -> tuple[tuple[int, str | None], ...]:
    """(weekday, event) of each day from `start` to `end`."""
    return tuple(((start + dt.timedelta(days=i)).weekday(), calendar.event_of(start + dt.timedelta(days=i)))
                 for i in range((end - start).days + 1))


@dataclass(frozen=True)
class Profile:
    """How a node's days weigh: seven weekday factors (Monday first) and a factor per event; `source` names the
    node whose history it was learned from (a thin node borrows its parent's)."""
    weekday: tuple[float, ...] = (1.0,) * 7
    events: dict[str, float] = field(default_factory=dict)
    source: str | None = None
    days: int = 0
    count: float = 0.0
    calendar: CompanyCalendar = DEFAULT     # whose days the events are (goals.yaml calendar)

    def weights(self, start: dt.date, end: dt.date) -> np.ndarray:
        """The weight of each day from `start` to `end` (inclusive)."""
        return np.array([self.weekday[wd] * self.events.get(e, 1.0) for wd, e in _days(start, end, self.calendar)])

    def share(self, start: dt.date, end: dt.date, upto: dt.date) -> float:
        """The expected share of the period [start, end]'s result by `upto` (1 once the period is over)."""
        if upto >= end:
            return 1.0
        if upto < start:
            return 0.0
        memo = self.__dict__.setdefault("_shares", {})     # a borrowed profile serves many nodes: worked out once
        key = (start, end)
        if key not in memo:
            w = self.weights(start, end)
            total = w.sum()
            memo[key] = np.cumsum(w) / total if total > 0 else np.arange(1, len(w) + 1) / len(w)
        return float(memo[key][(upto - start).days])


LINEAR = Profile(source="linear")


class Calendar:
    """The days from `first` for `n` days with their events and weekdays, worked out once for every node."""

    def __init__(self, first: dt.date, n: int, company: CompanyCalendar = DEFAULT):
        self.first, self.n, self.company = first, n, company
        days = [first + dt.timedelta(days=i) for i in range(n)]
        self.events = [company.event_of(d) for d in days]
        self.names = sorted({e for e in self.events if e is not None})
        index = {e: i for i, e in enumerate(self.names)}
        self.codes = np.array([index[e] if e is not None else -1 for e in self.events], dtype=int)
        self.weekdays = np.array([d.weekday() for d in days], dtype=int)
        self.ordinary = self.codes < 0

    def head(self, n: int) -> Calendar:
        """The first `n` days of this calendar (no recomputation)."""
        out = object.__new__(Calendar)
        out.first, out.n, out.names, out.company = self.first, n, self.names, self.company
        out.events, out.codes = self.events[:n], self.codes[:n]
        out.weekdays, out.ordinary = self.weekdays[:n], self.ordinary[:n]
        return out


def _means(values: np.ndarray, groups: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of `values` per group 0 … size−1 and how many values each group had."""
    counts = np.bincount(groups, minlength=size)
    sums = np.bincount(groups, weights=values, minlength=size)
    return np.divide(sums, counts, out=np.ones(size), where=counts > 0), counts


def fit(counts: np.ndarray, first: dt.date | Calendar, source: str | None = None) -> Profile | None:
    """The profile of a daily series `counts` (one value per day from `first`, zeros included), or None when the
    history is too short or too thin to say anything (see the module's words)."""
    counts = np.asarray(counts, dtype=float)
    n = len(counts)
    total = float(counts.sum())
    if n < MIN_HISTORY_DAYS or total < MIN_COUNT:
        return None
    cal = first if isinstance(first, Calendar) and first.n == n else Calendar(
        first.first if isinstance(first, Calendar) else first, n,
        first.company if isinstance(first, Calendar) else DEFAULT)
    ordinary = cal.ordinary
    # the ordinary level around each day: a running mean of the ordinary days within LEVEL_DAYS either side …
    kept = np.where(ordinary, counts, 0.0)
    csum_v = np.concatenate([[0.0], np.cumsum(kept)])
    csum_n = np.concatenate([[0], np.cumsum(ordinary.astype(int))])
    lo = np.clip(np.arange(n) - LEVEL_DAYS, 0, n)
    hi = np.clip(np.arange(n) + LEVEL_DAYS + 1, 0, n)
    # … without the day itself: six whole weeks, so every weekday counts alike in every day's level
    level_n = csum_n[hi] - csum_n[lo] - ordinary.astype(int)
    level = np.where(level_n > 0, (csum_v[hi] - csum_v[lo] - kept) / np.maximum(level_n, 1), 0.0)
    usable = (level_n >= MIN_LEVEL_DAYS) & (level > 0)
    ratio = np.divide(counts, level, out=np.zeros(n), where=usable)
    pick = ordinary & usable
    weekday, _ = _means(ratio[pick], cal.weekdays[pick], 7)
    mean = weekday.mean()
    weekday = weekday / mean if mean > 0 else np.ones(7)
    pick = ~ordinary & usable & (weekday[cal.weekdays] > 0)
    # an event's factor: what its days counted over what an ordinary day of that weekday would have, both with
    # PRIOR_EVENTS more of an ordinary day's, so a handful of openings does not make a festival out of chance
    expect = level[pick] * weekday[cal.weekdays[pick]]
    size = len(cal.names)
    seen = np.bincount(cal.codes[pick], minlength=size)
    got = np.bincount(cal.codes[pick], weights=counts[pick], minlength=size)
    due = np.bincount(cal.codes[pick], weights=expect, minlength=size)
    factor = (got + PRIOR_EVENTS) / (due + PRIOR_EVENTS)
    return Profile(weekday=tuple(float(w) for w in weekday),
                   events={e: float(f) for e, f, k in zip(cal.names, factor, seen) if k > 0}, source=source, days=n,
                   count=total, calendar=cal.company)


# ---- every node's shape, from the warehouse ------------------------------------------------------------------------

# Every node's day-by-day counts in one pass: the company, each war zone, team and person (a zone with no teams
# repeats its id as team and person: counted once) and each center (members only).
SERIES_SQL = """
with f as (
    select date, war_zone, team, person, center, new_stations, members_joined from daily_node_facts
    where date >= $first
),
parts as (
    select $company as id, date, sum(new_stations) as stations, sum(members_joined) as members from f group by all
    union all select war_zone, date, sum(new_stations), sum(members_joined) from f group by all
    union all select team, date, sum(new_stations), sum(members_joined) from f where team <> war_zone group by all
    union all select person, date, sum(new_stations), sum(members_joined) from f
        where person <> team and person <> war_zone group by all
    union all select center, date, 0, sum(members_joined) from f where center is not null group by all
)
select id, (date - $first::date)::int as day, stations::double as stations, members::double as members,
    dense_rank() over (order by id) - 1 as k
from parts where id is not null
"""


def _database(con) -> tuple:
    """What identifies the warehouse `con` reads: its file and that file's version (a new build is a new file)."""
    import os

    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    try:
        st = os.stat(path[0]) if path and path[0] else None
    except OSError:
        st = None
    return (path[0] if path else None, st.st_ino if st else None, st.st_mtime_ns if st else None)


@dataclass
class History:
    """Every node's day-by-day openings and joins from the data's first day: `rows[metric][i]` is node `ids[i]`'s
    series (index 0 = `first`)."""
    first: dt.date
    n: int
    ids: list
    rows: dict[str, np.ndarray]
    calendar: Calendar

    def series(self, nid: str, metric: str, before: dt.date) -> np.ndarray | None:
        """A node's counts from the first day up to the day before `before` (None when the data never names it)."""
        i = self.index.get(nid)
        return None if i is None else self.rows[metric][i, : max(0, (before - self.first).days)]

    @property
    def index(self) -> dict:
        found = self.__dict__.get("_index")
        if found is None:
            found = self.__dict__["_index"] = {nid: i for i, nid in enumerate(self.ids)}
        return found


def company_calendar(con) -> CompanyCalendar:
    """The calendar the warehouse was built with (goals.yaml `calendar:`, kept by the build); the default (China's
    public holidays, no events of the company's own) for a warehouse built before there was one."""
    try:
        row = con.execute("select spec from company_calendar").fetchone()
    except Exception:     # duckdb.CatalogException: an older warehouse
        return DEFAULT
    return CompanyCalendar.from_spec(row[0] if row else None)


_HISTORY: dict[tuple, History] = {}
_CACHE: dict[tuple, dict[tuple[str, str], Profile]] = {}


def history(con, first: dt.date, last: dt.date, company: str) -> History:
    """Every node's daily series of the warehouse `con` reads, read once per warehouse file."""
    key = (_database(con), first, last, company)
    if key[0][0] is not None and key in _HISTORY:
        return _HISTORY[key]
    n = (last - first).days + 1
    rows = con.execute(SERIES_SQL, {"first": first, "company": company}).fetchnumpy()
    k = np.asarray(rows["k"], dtype=int)
    ids = np.empty(k.max() + 1 if len(k) else 0, dtype=object)
    ids[k] = rows["id"]
    days = np.asarray(rows["day"], dtype=int)
    keep = days < n
    matrices = {}
    for metric in ("stations", "members"):
        matrix = np.zeros((len(ids), n))
        np.add.at(matrix, (k[keep], days[keep]), np.asarray(rows[metric], dtype=float)[keep])
        matrices[metric] = matrix
    found = History(first=first, n=n, ids=list(ids), rows=matrices, calendar=Calendar(first, n, company_calendar(con)))
    if key[0][0] is not None:
        if len(_HISTORY) > 4:
            _HISTORY.clear()
        _HISTORY[key] = found
    return found


def node_profiles(con, first: dt.date | None, before: dt.date, nodes: dict[str, str | None], company: str,
                  last: dt.date | None = None) -> dict[tuple[str, str], Profile]:
    """(node id, metric) → the profile its expected share comes from, learned from the history before `before`
    (the first day of the month judged: the month itself never shapes its own expectation): the node's own when
    its history is long and full enough, else its parent's, its grandparent's … the company's, else the straight
    line. `nodes` are the goal tree's, id → parent id; a center's parent is the company. Stations are
    counted when they open, members when they join (refunds are too few to change a month's shape). The history
    is read once per warehouse file, and the profiles kept per month: every as-of of a month shares them."""
    if first is None or before - first < dt.timedelta(days=MIN_HISTORY_DAYS):
        return {(nid, m): LINEAR for nid in nodes for m in ("stations", "members")}
    last = last or before - dt.timedelta(days=1)
    key = (_database(con), first, before, tuple(sorted(nodes.items())))
    if key[0][0] is not None and key in _CACHE:
        return _CACHE[key]
    hist = history(con, first, max(last, before - dt.timedelta(days=1)), company)
    n = (before - first).days
    cal = hist.calendar.head(n)
    own: dict[tuple[str, str], Profile | None] = {}
    for nid in [*nodes, company]:
        for metric in ("stations", "members"):
            counts = hist.series(nid, metric, before)
            if counts is not None and (nid, metric) not in own:
                own[(nid, metric)] = fit(counts, cal, nid)
    out: dict[tuple[str, str], Profile] = {}

    def resolve(nid: str, metric: str) -> Profile:
        key = (nid, metric)
        if key not in out:
            found = own.get(key)
            if found is None:
                parent = nodes[nid] if nid in nodes else None
                found = resolve(parent, metric) if parent in nodes and parent != nid else LINEAR
            out[key] = found
        return out[key]

    for nid in nodes:
        for metric in ("stations", "members"):
            resolve(nid, metric)
    if key[0][0] is not None:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = out
    return out
