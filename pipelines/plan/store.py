"""The plan store (DESIGN §3): SQLite (WAL) beside the warehouse, holding the plan and its whole history.

Every change — an import of the config files, a target edited in the app, a check-in — is one row in `changes`
(who, when, what) plus the values it set in the append-only logs; nothing is updated or deleted, and the latest
change of a key wins. A removal is a row whose value is null. WAL mode lets readers (the dashboard, the goal tree)
read a consistent snapshot while a writer works, so reading the plan never waits.

    targets            (month, level, node_id, metric) → target
    key actions        id → {center, title, owner, months, supports, war_zones}
    key results        id → {key_action, title, metric, filters | unit, target}
    settings           north_star, status, org, access (access.yaml)
    accounts           user id → password hash (argon2id, salted): `users add|reset|remove`, never a file
    sign-ins           every attempt (who, when, ok): the lock-out counts the failures
    audit              sign-ins, exports of rows, unmasked views of personal data, account changes
    check-ins          (key_result, date) → value, comment

`import_config()` imports the config files that changed since their last import, as one change by
"config files": only the entries that changed in a file are written, so an edit made in the app survives an
import of a file that did not touch it.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import Words
from pipelines.plan.access import access_from_doc, access_snapshot
from pipelines.plan.accounts import Accounts
from pipelines.plan.folder import Plan, load_plan
from pipelines.plan.goals import (
    CONFIDENCE,
    DEFAULT_AT_RISK,
    DEFAULT_STALE_DAYS,
    DEFAULT_TIME_ZONE,
    GOAL_METRICS,
    LEVELS,
    NorthStar,
    parse_month,
    same_target,
)
from pipelines.plan.org import Org
from pipelines.plan.runlog import RunLog
from pipelines.plan.stamps import dumps as _dumps
from pipelines.plan.stamps import now as _now

CONFIG_FILES = ("org.yaml", "goals.yaml", "targets.csv", "access.yaml")
IMPORTER = "config files"

SCHEMA = """
create table if not exists changes (
    id integer primary key autoincrement,
    at text not null,                 -- UTC, ISO 8601
    who text not null,                -- a person, or 'config files'
    source text not null,             -- import | app | cli
    note text not null default ''
);
create table if not exists target_log (
    change_id integer not null references changes(id),
    month text not null, level text not null, node_id text not null, metric text not null,
    target real                       -- null: the target was removed
);
create index if not exists target_log_key on target_log(month, level, node_id, metric, change_id);
create table if not exists key_action_log (
    change_id integer not null references changes(id), id text not null, doc text   -- JSON; null: removed
);
create table if not exists key_result_log (
    change_id integer not null references changes(id), id text not null, doc text   -- JSON; null: removed
);
create table if not exists setting_log (
    change_id integer not null references changes(id), id text not null, doc text   -- north_star, status, org
);
create table if not exists checkin_log (
    change_id integer not null references changes(id),
    key_result_id text not null, on_date text not null, value real, comment text not null default '',
    confidence text                   -- on_track | at_risk | off_track, as the center lead declares it
);
create table if not exists accounts (
    user_id text primary key,         -- casefolded: an id in access.yaml
    hash text not null,               -- argon2id with its salt and parameters; the password itself is never kept
    set_at text not null, set_by text not null
);
create table if not exists sign_ins (
    at text not null, user_id text not null, ok integer not null, how text not null   -- password | oidc
);
create index if not exists sign_ins_user on sign_ins(user_id, at);
create table if not exists sign_in_sources (    -- where each password attempt came from (its network address)
    at text not null, source text not null, ok integer not null, attempt integer not null   -- attempt: sign_ins rowid
);
create index if not exists sign_in_sources_source on sign_in_sources(source, at);
create table if not exists oidc_identities (   -- a person bound to one account at the identity provider
    user_id text primary key, issuer text not null, sub text not null, at text not null
);
create table if not exists session_cutoffs (   -- every session of a person that began before `at` is over
    user_id text primary key, at text not null           -- (a password reset, an account removed, a sign-out)
);
create table if not exists web_sessions (
    token_hash text primary key,      -- sha256 of the browser's cookie; the token itself is never kept
    user_id text not null, started text not null, expires text not null, ended text   -- ended: signed out
);
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null, who text not null,
    action text not null,             -- sign_in | sign_in_refused | sign_out | export | pii_view | account | upload
    what text not null default '', rows integer
);
create table if not exists brief_log (
    id integer primary key autoincrement,
    at text not null, channel text not null,
    kind text not null,               -- brief | alert | build_failed
    month text, as_of text,
    ok integer not null, detail text not null default '',   -- what the service said, or where a dry run wrote
    statuses text                     -- JSON: what the next brief compares with (pipelines.delivery.brief.statuses)
);
create index if not exists brief_log_channel on brief_log(channel, id);
create table if not exists pull_log (
    id integer primary key autoincrement,
    at text not null, source text not null, table_name text not null,
    watermark text,                   -- JSON {type, value}: where the next pull starts (rows at or after it)
    rows_read integer not null, rows_new integer not null, rows_changed integer not null,
    file text not null default '',    -- the raw file the new rows went to
    full integer not null default 0   -- 1: every row read again (pull --full)
);
create table if not exists file_imports (
    change_id integer not null references changes(id),
    file text not null, sha256 text not null, snapshot text not null   -- what the file said, as JSON
);
"""

# The latest change of each key; a null value means removed.
# The latest change of every target: SQLite's max() picks the row's other columns from the row with the largest
# change_id, walking the target_log_key index (twice as fast as a row_number() window over the whole log).


def _schema_1(con: sqlite3.Connection) -> None:
    """Every table of SCHEMA; a store from before the schema was numbered (user_version 0) may lack check-ins'
    confidence, which it gains here (the only change those stores ever needed)."""
    statement = ""
    for line in SCHEMA.splitlines(keepends=True):     # one statement at a time (a comment may hold a ';')
        statement += line
        if sqlite3.complete_statement(statement):
            con.execute(statement)
            statement = ""
    if "confidence" not in {row[1] for row in con.execute("pragma table_info(checkin_log)")}:
        con.execute("alter table checkin_log add column confidence text")


# The store's schema, numbered (sqlite's user_version): a change to the tables is a new step here, never an edit of
# an old one, so every store, however old, arrives at the same tables.
MIGRATIONS = {1: _schema_1}
SCHEMA_VERSION = max(MIGRATIONS)

CURRENT_TARGETS = """
select month, level, node_id, metric, target from (
    select month, level, node_id, metric, target, max(change_id)
    from target_log
    group by month, level, node_id, metric)
where target is not null
"""
CURRENT_DOCS = """
select id, doc from (
    select *, row_number() over (partition by id order by change_id desc) as rn from {table})
where rn = 1 and doc is not null
"""


# How many entries a change set (all kinds), and how many of them were check-ins.
CHANGE_COUNTS = """
select (select count(*) from target_log where change_id = $id)
     + (select count(*) from key_action_log where change_id = $id)
     + (select count(*) from key_result_log where change_id = $id)
     + (select count(*) from setting_log where change_id = $id)
     + (select count(*) from checkin_log where change_id = $id),
       (select count(*) from checkin_log where change_id = $id)
"""


def store_path(db: Path) -> Path:
    """The plan store beside the warehouse: data/warehouse.duckdb → data/warehouse.plan.sqlite."""
    db = Path(db)
    return db.with_name(f"{db.stem}.plan.sqlite")


@dataclass
class ImportResult:
    change_id: int | None
    files: list[str]            # the files imported (changed since their last import)
    changed: dict[str, int]     # kind → entries written

    def describe(self) -> str:
        """'3 settings, 4,534 targets' (or 'no entries changed')."""
        parts = [f"{n:,} {k.replace('_', ' ')}{'s' if n != 1 else ''}" for k, n in self.changed.items()]
        return ", ".join(parts) or "no entries changed"


def status_doc(plan: Plan) -> dict:
    """goals.yaml's status block as the store keeps it (`basis` only when not the default: a store written before
    it existed reads the same)."""
    doc = {"at_risk": plan.at_risk, "stale_days": plan.stale_days}
    if plan.basis != "linear":
        doc["basis"] = plan.basis
    return doc


def snapshots(plan: Plan) -> dict[str, dict]:
    """What each config file says, as {kind: {key: value}} — the unit of diffing between imports."""
    ns = plan.north_star
    settings_goals = {
        "north_star": None if ns is None else {
            "title": {"zh": ns.title_zh, "en": ns.title_en}, "start": ns.start.isoformat(),
            "end": ns.end.isoformat(), "targets": ns.targets,
            **({"milestones": [{"by": by.isoformat(), **v} for by, v in ns.milestones]} if ns.milestones else {})},
        "status": status_doc(plan),
        "time_zone": plan.time_zone,
    }
    actions, results = {}, {}
    for ka_order, ka in enumerate(plan.key_actions):
        actions[ka["id"]] = {**{k: v for k, v in ka.items() if k not in ("id", "key_results")}, "order": ka_order}
        for order, kr in enumerate(ka["key_results"]):
            results[kr["id"]] = {**{k: v for k, v in kr.items() if k != "id"}, "key_action": ka["id"], "order": order}
    return {
        "org.yaml": {"setting": {"org": plan.org.doc or None}},
        "goals.yaml": {"setting": settings_goals, "key_action": actions, "key_result": results},
        "targets.csv": {"target": {"|".join(k): v for k, v in plan.targets.items()}},
        "access.yaml": {"setting": {"access": access_snapshot(plan.access)}},
    }


class PlanStoreBroken(NorthstarError):
    """The plan store file cannot be read (damaged, or not a store): a sentence naming it and what to do; the pages
    say it in the reader's language (ui.i18n.error_text)."""

    def __init__(self, path: Path, err: Exception):
        self.path, self.err = Path(path), str(err).splitlines()[0] if str(err) else type(err).__name__
        super().__init__("store_broken", path=str(self.path), err=self.err)


class TargetConflict(NorthstarError):
    """Someone else changed targets this save (or undo) would overwrite: `conflicts` holds, per target, its key,
    the value when opened, the value now with who and when (`target`, `who`, `at`), and this reader's value."""

    def __init__(self, conflicts: list[dict], undo: int | None = None):
        self.conflicts, self.undo = conflicts, undo
        items = [Words("target_conflict", node=c["key"][1], metric=c["key"][2], target=c["target"], who=c["who"],
                       at=c["at"]) for c in conflicts[:5]]
        if undo is not None:
            super().__init__("undo_blocked", change=undo, items=items)
        else:
            super().__init__("targets_changed", items=items)


class PlanStore:
    """One plan store file. Open, use, close (or use as a context manager)."""

    def __init__(self, path: Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        try:
            if read_only:
                self.con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                self.con.execute("pragma journal_mode = wal")
                self.con.execute("pragma synchronous = normal")
                self._migrate()
            self.con.execute("select count(*) from sqlite_master").fetchall()    # a file that is not a store
        except sqlite3.DatabaseError as exc:
            raise PlanStoreBroken(self.path, exc) from None
        # one file, three parts: the plan's log (this class), accounts and sessions, and the run logs
        self.accounts = Accounts(self)    # accounts, sign-ins, sessions (pipelines/plan/accounts.py)
        self.runs = RunLog(self)          # the audit, the briefs, the pulls (pipelines/plan/runlog.py)

    def _migrate(self) -> None:
        """Brings the file to SCHEMA_VERSION (sqlite's user_version), one numbered step at a time, each in its own
        transaction; a file written by a newer Northstar is refused rather than changed."""
        version = self.con.execute("pragma user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise PlanStoreBroken(self.path, sqlite3.DatabaseError(
                f"it was written by a newer Northstar (schema {version}, this one reads up to {SCHEMA_VERSION})"))
        for step in range(version + 1, SCHEMA_VERSION + 1):
            self.con.execute("begin immediate")
            try:
                MIGRATIONS[step](self.con)
                self.con.execute(f"pragma user_version = {int(step)}")
                self.con.execute("commit")
            except BaseException:
                self.con.execute("rollback")
                raise

    def close(self) -> None:
        self.con.close()

    def _has_confidence(self) -> bool:
        return "confidence" in {row[1] for row in self.con.execute("pragma table_info(checkin_log)")}

    def _confidence(self) -> str:
        """The confidence column, or null in a store opened read-only from before it existed."""
        return "c.confidence" if self._has_confidence() else "null"

    def __enter__(self) -> PlanStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _change(self, who: str, source: str, note: str = ""):
        """One transaction = one change; yields its id. The change is a line of the audit too, written in the same
        transaction with how many entries it set (the audit is then one log in the order things happened)."""
        if self.read_only:
            raise NorthstarError("store_read_only", path=str(self.path))
        try:
            self.con.execute("begin immediate")
        except sqlite3.OperationalError as exc:
            raise NorthstarError("store_busy", path=str(self.path), err=str(exc)) from None
        try:
            at = _now()
            cur = self.con.execute("insert into changes(at, who, source, note) values (?, ?, ?, ?)",
                                   (at, who, source, note))
            yield cur.lastrowid
            counts = self.con.execute(CHANGE_COUNTS, {"id": cur.lastrowid}).fetchone()
            action = "import" if source == "import" else "checkin" if counts[1] else "plan_change"
            self.con.execute("insert into audit(at, who, action, what, rows) values (?, ?, ?, ?, ?)",
                             (at, who, action, note or f"change #{cur.lastrowid}", counts[0]))
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise

    # ---- writing -----------------------------------------------------------------------------------------------

    def import_config(self, config: Path, plan: Plan | None = None, force: bool = False) -> ImportResult:
        """Imports the config files that changed since their last import (all of them with force=True)."""
        config = Path(config)
        plan = plan if plan is not None else load_plan(config)
        snaps = snapshots(plan)
        changed_files = []
        digests = {}
        for name in CONFIG_FILES:
            path = config / name
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"
            last = self.con.execute("select sha256 from file_imports where file = ? order by change_id desc limit 1",
                                    (name,)).fetchone()
            if last is None and digests[name] == "absent" and name == "access.yaml":
                continue  # no access.yaml, never had one: nothing to import (the plan is open, pipelines.plan.access)
            if force or last is None or last[0] != digests[name]:
                changed_files.append(name)
        if not changed_files:
            return ImportResult(None, [], {})
        counts: dict[str, int] = {}
        with self._change(IMPORTER, "import", f"{config}: {', '.join(changed_files)}") as cid:
            for name in changed_files:
                before = self._last_snapshot(name)
                after = snaps[name]
                for kind, entries in after.items():
                    old = before.get(kind, {})
                    for key, value in entries.items():
                        if key not in old or _dumps(old[key]) != _dumps(value):
                            self._write(cid, kind, key, value)
                            counts[kind] = counts.get(kind, 0) + 1
                    for key in old.keys() - entries.keys():
                        self._write(cid, kind, key, None)
                        counts[kind] = counts.get(kind, 0) + 1
                self.con.execute("insert into file_imports values (?, ?, ?, ?)",
                                 (cid, name, digests[name], _dumps(after)))
        return ImportResult(cid, changed_files, counts)

    def _last_snapshot(self, name: str) -> dict:
        row = self.con.execute("select snapshot from file_imports where file = ? order by change_id desc limit 1",
                               (name,)).fetchone()
        return json.loads(row[0]) if row else {}

    def _write(self, cid: int, kind: str, key: str, value) -> None:
        if kind == "target":
            month, level, node, metric = key.split("|")
            self.con.execute(
                "insert into target_log values (?, ?, ?, ?, ?, ?)", (cid, month, level, node, metric, value)
            )
        elif kind in ("key_action", "key_result", "setting"):
            table = {"key_action": "key_action_log", "key_result": "key_result_log", "setting": "setting_log"}[kind]
            self.con.execute(f"insert into {table} values (?, ?, ?)",  # noqa: S608 - table from a fixed map
                             (cid, key, None if value is None else _dumps(value)))
        else:  # pragma: no cover - a programming error
            raise ValueError(kind)

    def set_target(self, month: str, level: str, node_id: str, metric: str, target: float | None, who: str,
                   note: str = "") -> int:
        """A person sets (or with target=None removes) one target; returns the change id."""
        month_ok = parse_month(month)
        if month_ok is None or level not in LEVELS or metric not in GOAL_METRICS:
            raise NorthstarError("not_a_target", month=month, level=level, metric=metric)
        if target is not None and (not isinstance(target, (int, float)) or target < 0):
            raise NorthstarError("target_not_number", target=target)
        if not who.strip():
            raise NorthstarError("say_who")
        with self._change(who.strip(), "app", note) as cid:
            self._write(cid, "target", "|".join((month_ok, level, node_id, metric)), target)
        return cid

    def set_targets(self, month: str, entries: dict[tuple[str, str, str], float | None], who: str,
                    note: str = "", expected: dict[tuple[str, str, str], float | None] | None = None) -> int | None:
        """A person saves a month's edited targets as one change: {(level, node_id, metric): target or None to
        remove}. Everything is checked first; nothing is written when one entry is wrong. `expected`: what each
        entry's cell held when the person opened it; when someone else changed one since, nothing is written and
        TargetConflict lists them (checked inside the write's transaction, so two saves cannot cross). Returns the
        change id (None when there is nothing to save)."""
        month_ok = parse_month(month)
        if month_ok is None:
            raise NorthstarError("store_not_a_month", month=month)
        if not who.strip():
            raise NorthstarError("say_who")
        for (level, node_id, metric), target in entries.items():
            if level not in LEVELS or metric not in GOAL_METRICS or not node_id:
                raise NorthstarError("not_a_target_node", level=level, node=node_id, metric=metric)
            if level == "center" and metric != "members":
                raise NorthstarError("center_members_only", node=node_id)
            if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))
                                       or target != target or target < 0):
                raise NorthstarError("node_target_not_number", node=node_id, metric=metric, target=target)
        if not entries:
            return None
        with self._change(who.strip(), "app", note or f"targets {month_ok}: {len(entries)}") as cid:
            if expected is not None:
                conflicts = []
                for key in entries:
                    now = self.target_now(month_ok, *key, before=cid)
                    if not same_target(now["target"], expected.get(key)):
                        conflicts.append({"key": key, "opened": expected.get(key), **now, "mine": entries[key]})
                if conflicts:
                    raise TargetConflict(conflicts)
            for (level, node_id, metric), target in entries.items():
                self._write(cid, "target", "|".join((month_ok, level, node_id, metric)),
                            None if target is None else float(target))
        return cid

    def target_now(self, month: str, level: str, node_id: str, metric: str, before: int | None = None) -> dict:
        """A target's current value with who set it and when (before change `before`, when given)."""
        row = self.con.execute("""
            select t.target, c.who, c.at, c.id from target_log as t join changes as c on c.id = t.change_id
            where t.month = ? and t.level = ? and t.node_id = ? and t.metric = ? and t.change_id < ?
            order by t.change_id desc limit 1""", (month, level, node_id, metric, before or 2**62)).fetchone()
        return dict(zip(("target", "who", "at", "change"), row or (None, None, None, None)))

    def undo(self, change_id: int, who: str) -> int:
        """Undoes a saved change of targets as a new change that puts back each target's value from before it
        (removing those it added). Refused, with what and by whom, when a later change touched one of its targets:
        undoing would overwrite that later work. Returns the new change's id."""
        if not who.strip():
            raise NorthstarError("say_who_undoes")
        rows = self.con.execute("select month, level, node_id, metric, target from target_log where change_id = ?",
                                (change_id,)).fetchall()
        if not rows:
            raise NorthstarError("nothing_to_undo", change=change_id)
        with self._change(who.strip(), "app", f"undo #{change_id}") as cid:
            later = []
            for month, level, node_id, metric, target in rows:
                now = self.target_now(month, level, node_id, metric, before=cid)
                if now["change"] != change_id:
                    later.append({"key": (level, node_id, metric), "month": month, "opened": target, **now,
                                  "mine": None})
            if later:
                raise TargetConflict(later, undo=change_id)
            for month, level, node_id, metric, _ in rows:
                old = self.target_now(month, level, node_id, metric, before=change_id)["target"]
                self._write(cid, "target", "|".join((month, level, node_id, metric)), old)
        return cid

    def change_targets(self, change_id: int) -> list[dict]:
        """What a change did to targets: month, level, node, metric, the value before and after."""
        rows = self.con.execute("select month, level, node_id, metric, target from target_log where change_id = ? "
                                "order by month, level, node_id, metric", (change_id,)).fetchall()
        return [{"month": m, "level": lv, "node_id": n, "metric": me, "after": t,
                 "before": self.target_now(m, lv, n, me, before=change_id)["target"]} for m, lv, n, me, t in rows]

    def add_checkin(self, key_result_id: str, on_date: dt.date, value: float | None, who: str, comment: str = "",
                    confidence: str | None = None) -> int:
        """A check-in on a key result: its progress value on a date (manual key results; None for an automatic one,
        whose value comes from the data), the lead's confidence and a comment. The latest change per date wins."""
        if not who.strip():
            raise NorthstarError("say_who_checks_in")
        if not str(key_result_id).strip():
            raise NorthstarError("checkin_which")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value != value
                                  or value < 0):
            raise NorthstarError("checkin_not_number", value=value)
        if confidence is not None and confidence not in CONFIDENCE:
            raise NorthstarError("confidence_unknown", confidence=confidence, known=", ".join(CONFIDENCE))
        if value is None and confidence is None and not comment.strip():
            raise NorthstarError("checkin_empty")
        with self._change(who.strip(), "app", f"check-in {key_result_id}") as cid:
            self.con.execute("insert into checkin_log (change_id, key_result_id, on_date, value, comment, confidence) "
                             "values (?, ?, ?, ?, ?, ?)",
                             (cid, key_result_id, on_date.isoformat(), None if value is None else float(value),
                              comment.strip(), confidence))
        return cid

    def set_key_action(self, action: dict, who: str, note: str = "") -> int:
        """A person adds or edits a key action (checked with `plan.check_key_action` first) with its key results, as
        one change; key results the action no longer lists are removed. The action keeps its place in the order."""
        if not who.strip():
            raise NorthstarError("say_who")
        actions = self._docs("key_action_log")
        results = self._docs("key_result_log")
        kid = action["id"]
        order = actions[kid]["order"] if kid in actions else max((a.get("order", -1) for a in actions.values()),
                                                                  default=-1) + 1
        doc = {k: v for k, v in action.items() if k not in ("id", "key_results")}
        with self._change(who.strip(), "app", note or f"key action {kid}") as cid:
            self._write(cid, "key_action", kid, {**doc, "order": order})
            kept = set()
            for j, kr in enumerate(action["key_results"]):
                self._write(cid, "key_result", kr["id"], {**{k: v for k, v in kr.items() if k != "id"},
                                                           "key_action": kid, "order": j})
                kept.add(kr["id"])
            for rid, r in results.items():
                if r.get("key_action") == kid and rid not in kept:
                    self._write(cid, "key_result", rid, None)
        return cid

    def remove_key_action(self, action_id: str, who: str) -> int:
        """A person removes a key action and its key results (their history stays)."""
        if not who.strip():
            raise NorthstarError("say_who")
        if action_id not in self._docs("key_action_log"):
            raise NorthstarError("no_key_action", action=action_id)
        with self._change(who.strip(), "app", f"remove key action {action_id}") as cid:
            self._write(cid, "key_action", action_id, None)
            for rid, r in self._docs("key_result_log").items():
                if r.get("key_action") == action_id:
                    self._write(cid, "key_result", rid, None)
        return cid

    # ---- reading -----------------------------------------------------------------------------------------------

    def targets(self) -> dict[tuple[str, str, str, str], float]:
        return {(m, lv, n, me): t for m, lv, n, me, t in self.con.execute(CURRENT_TARGETS)}

    def _docs(self, table: str) -> dict[str, dict]:
        return {key: json.loads(doc) for key, doc in self.con.execute(CURRENT_DOCS.format(table=table))}

    def current(self) -> Plan:
        """The plan as it stands now (latest change of every key)."""
        settings = self._docs("setting_log")
        results = self._docs("key_result_log")
        actions = []
        docs = self._docs("key_action_log")
        for kid, doc in sorted(docs.items(), key=lambda kv: (kv[1].get("order", 1e9), kv[0])):
            krs = sorted(((r["order"], rid, r) for rid, r in results.items() if r["key_action"] == kid),
                         key=lambda t: (t[0], t[1]))
            actions.append({"id": kid, **{k: v for k, v in doc.items() if k != "order"}, "key_results": [
                {"id": rid, **{k: v for k, v in r.items() if k not in ("key_action", "order")}} for _, rid, r in krs]})
        ns_doc = settings.get("north_star")
        ns = None
        if ns_doc:
            ns = NorthStar(ns_doc["title"]["zh"], ns_doc["title"]["en"], dt.date.fromisoformat(ns_doc["start"]),
                           dt.date.fromisoformat(ns_doc["end"]), ns_doc["targets"],
                           tuple((dt.date.fromisoformat(m["by"]), {k: v for k, v in m.items() if k != "by"})
                                 for m in ns_doc.get("milestones") or []))
        status = settings.get("status") or {}
        at_risk = status.get("at_risk", DEFAULT_AT_RISK)
        return Plan(org=Org(doc=settings.get("org") or {}), north_star=ns, at_risk=at_risk,
                    stale_days=status.get("stale_days", DEFAULT_STALE_DAYS), basis=status.get("basis", "linear"),
                    key_actions=actions, targets=self.targets(),
                    time_zone=settings.get("time_zone") or DEFAULT_TIME_ZONE,
                    access=access_from_doc(settings.get("access")))

    def checkins(self) -> list[dict]:
        """The latest check-in per key result and date, oldest first."""
        rows = self.con.execute("""
            select c.key_result_id, c.on_date, c.value, c.comment, ch.who, ch.at, {conf} from (
                select *, row_number() over (partition by key_result_id, on_date order by change_id desc) as rn
                from checkin_log) as c join changes as ch on ch.id = c.change_id
            where c.rn = 1 order by c.key_result_id, c.on_date""".format(conf=self._confidence())).fetchall()
        return [dict(zip(("key_result_id", "on_date", "value", "comment", "who", "at", "confidence"), r))
                for r in rows]

    def checkin_history(self, key_result_id: str) -> list[dict]:
        """Every check-in ever recorded on a key result (corrections too), newest first."""
        rows = self.con.execute("""
            select c.on_date, c.value, {conf}, c.comment, ch.who, ch.at, ch.id
            from checkin_log as c join changes as ch on ch.id = c.change_id
            where c.key_result_id = ? order by c.on_date desc, ch.id desc""".format(conf=self._confidence()),
                                (key_result_id,)).fetchall()
        return [dict(zip(("on_date", "value", "confidence", "comment", "who", "at", "change"), r)) for r in rows]

    def history(self, limit: int = 50) -> list[dict]:
        """The latest changes, newest first, with what they touched."""
        rows = self.con.execute("""
            select c.id, c.at, c.who, c.source, c.note,
                (select count(*) from target_log where change_id = c.id),
                (select count(*) from key_action_log where change_id = c.id)
                    + (select count(*) from key_result_log where change_id = c.id),
                (select count(*) from checkin_log where change_id = c.id)
            from changes as c order by c.id desc limit ?""", (limit,)).fetchall()
        keys = ("id", "at", "who", "source", "note", "targets", "key_actions", "checkins")
        return [dict(zip(keys, r)) for r in rows]

    def revisions(self, month: str, since: str) -> list[dict]:
        """The targets of `month` that stood at `since` (UTC, ISO 8601: the month's first moment) and were changed
        or removed after it: level, node_id, metric, old, new (None: removed), who and at of the latest change. A
        target first set after `since` is not a revision (a plan imported mid-month would flag every target)."""
        rows = self.con.execute("""
            with log as (
                select t.level, t.node_id, t.metric, t.target, t.change_id, c.who, c.at
                from target_log as t join changes as c on c.id = t.change_id where t.month = ?
            ),
            touched as (select distinct level, node_id, metric from log where at >= ?),
            ranked as (
                select l.*, row_number() over (partition by l.level, l.node_id, l.metric, l.at >= ?
                                               order by l.change_id desc) as k
                from log as l join touched using (level, node_id, metric)
            )
            select b.level, b.node_id, b.metric, b.target, a.target, a.who, a.at
            from ranked as b join ranked as a using (level, node_id, metric)
            where b.at < ? and b.k = 1 and a.at >= ? and a.k = 1 and b.target is not null
            order by b.level, b.node_id, b.metric""", (month, since, since, since, since)).fetchall()
        keys = ("level", "node_id", "metric", "old", "new", "who", "at")
        return [dict(zip(keys, r)) for r in rows if not same_target(r[3], r[4])]

    def target_history(self, month: str, level: str, node_id: str, metric: str) -> list[dict]:
        rows = self.con.execute("""
            select t.target, c.who, c.at, c.source from target_log as t join changes as c on c.id = t.change_id
            where t.month = ? and t.level = ? and t.node_id = ? and t.metric = ? order by t.change_id""",
                                (month, level, node_id, metric)).fetchall()
        return [dict(zip(("target", "who", "at", "source"), r)) for r in rows]


    def node_history(self, level: str, node_id: str) -> list[dict]:
        """Every change of one node's targets, newest first: month, metric, target (None = removed), who, when."""
        rows = self.con.execute("""
            select t.month, t.metric, t.target, c.who, c.at, c.source, c.id
            from target_log as t join changes as c on c.id = t.change_id
            where t.level = ? and t.node_id = ? order by t.change_id desc, t.month desc, t.metric""",
                                (level, node_id)).fetchall()
        return [dict(zip(("month", "metric", "target", "who", "at", "source", "change"), r)) for r in rows]


def _read(db: Path, what, empty):
    """`what(store)` on the store beside `db` opened read-only; `empty` when there is no store yet."""
    path = store_path(db)
    if not path.exists():
        return empty
    try:
        with PlanStore(path, read_only=True) as store:
            return what(store)
    except sqlite3.Error as exc:
        raise PlanStoreBroken(path, exc) from None


def read_plan(db: Path) -> Plan | None:
    """The current plan from the store beside `db`, or None when there is no store yet."""
    return _read(db, PlanStore.current, None)


def read_checkins(db: Path) -> list[dict]:
    """Every check-in in the store beside `db` (the latest per key result and date), or [] with no store."""
    return _read(db, PlanStore.checkins, [])


def read_revisions(db: Path, month: str, since: str) -> list[dict]:
    """The targets of `month` changed after `since` (PlanStore.revisions) in the store beside `db`, or [] with no
    store."""
    return _read(db, lambda store: PlanStore.revisions(store, month, since), [])


def export_plan(plan: Plan, out: Path, checkins: list[dict] | None = None) -> list[Path]:
    """Writes the plan in the config formats (org.yaml, goals.yaml, targets.csv; access.yaml when the plan has one;
    checkins.csv when any). Password hashes stay in the store: they are never written to a file."""
    import csv

    import yaml

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def dump(name: str, header: str, doc) -> None:
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)
        (out / name).write_text(header + text, encoding="utf-8")
        written.append(out / name)

    stamp = f"# Exported from the plan store on {_now()} (python -m pipelines plan export).\n"
    if plan.org.doc:
        dump("org.yaml", stamp, plan.org.doc)
    goals: dict = {}
    if plan.north_star:
        ns = plan.north_star
        goals["north_star"] = {"title": {"zh": ns.title_zh, "en": ns.title_en}, "start": ns.start, "end": ns.end,
                               "targets": {k: _num(ns.targets[k]) for k in GOAL_METRICS}}
        if ns.milestones:
            goals["north_star"]["milestones"] = [{"by": by, **{k: _num(v) for k, v in values.items()}}
                                                 for by, values in ns.milestones]
    goals["status"] = status_doc(plan)
    goals["time_zone"] = plan.time_zone
    actions = []
    for ka in plan.key_actions:
        doc = {"id": ka["id"], "center": ka["center"], "title": _name(ka["title"])}
        if ka.get("owner"):
            doc["owner"] = ka["owner"]
        for key in ("months", "supports", "war_zones"):
            if ka.get(key):
                doc[key] = ka[key]
        doc["key_results"] = []
        for kr in ka["key_results"]:
            item = {"id": kr["id"], "title": _name(kr["title"])}
            if kr.get("metric"):
                item["metric"] = kr["metric"]
                if kr.get("filters"):
                    item["filters"] = kr["filters"]
            elif kr.get("unit") and any(kr["unit"].values()):
                item["unit"] = _name(kr["unit"])
            item["target"] = _num(kr.get("target"))
            doc["key_results"].append(item)
        actions.append(doc)
    if actions:
        goals["key_actions"] = actions
    dump("goals.yaml", stamp, goals)
    if plan.access.configured:
        dump("access.yaml", stamp, plan.access.doc())
    (out / "targets.csv").write_text(targets_csv(plan.targets), encoding="utf-8")
    written.append(out / "targets.csv")
    if checkins:
        with open(out / "checkins.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["key_result_id", "date", "value", "confidence", "comment", "who", "at"])
            for c in checkins:
                w.writerow([c["key_result_id"], c["on_date"], "" if c["value"] is None else _num(c["value"]),
                            c.get("confidence") or "", c["comment"], c["who"], c["at"]])
        written.append(out / "checkins.csv")
    return written


def targets_csv(targets: dict[tuple[str, str, str, str], float], node_order: dict[str, int] | None = None) -> str:
    """Targets in the targets.csv format, by month, level (company first), then `node_order` (the org's order)
    or node id, then metric."""
    import csv
    import io

    level_order = {level: i for i, level in enumerate(LEVELS)}
    node_order = node_order or {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["month", "level", "node_id", "metric", "target"])
    for (month, level, node, metric), target in sorted(
            targets.items(), key=lambda kv: (kv[0][0], level_order[kv[0][1]], node_order.get(kv[0][2], 1e9),
                                             kv[0][2], kv[0][3])):
        w.writerow([month, level, node, metric, _num(target)])
    return buf.getvalue()


def _name(pair: dict) -> dict:
    return {"zh": pair.get("zh"), "en": pair.get("en")}


def _num(value):
    """12.0 → 12 so exported files read like the ones people write."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
