"""What ran and who looked, in the plan store's file (`PlanStore.runs`): the audit of exports, unmasked views and
account changes, the brief log (and the statuses the next brief compares with), and the pulls with their
watermarks.
"""
from __future__ import annotations

import json
import sqlite3

from pipelines.plan.stamps import dumps as _dumps
from pipelines.plan.stamps import now as _now


class RunLog:
    """The run-log part of one open plan store (it shares the store's connection and transactions)."""

    def __init__(self, store):
        self.store, self.con = store, store.con

    def _audit(self, who: str, action: str, what: str, rows: int | None = None) -> None:
        self.con.execute("insert into audit(at, who, action, what, rows) values (?, ?, ?, ?, ?)",
                         (_now(), who, action, what, rows))

    def audited(self, who: str, action: str, what: str) -> bool:
        """Whether the audit already holds this very line (who, action, what)."""
        return self.con.execute("select 1 from audit where who = ? and action = ? and what = ? limit 1",
                                (who.casefold(), action, what)).fetchone() is not None

    def audit(self, who: str, action: str, what: str, rows: int | None = None) -> None:
        """Records one export of rows, unmasked view of personal data, upload or sign-out."""
        with self.con:
            self._audit(who, action, what, rows)

    def log_brief(self, channel: str, kind: str, ok: bool, detail: str, month: str | None = None,
                  as_of: str | None = None, statuses: dict | None = None) -> None:
        """One send of a brief, an alert or a build-failure line, delivered or not (never lost silently)."""
        with self.con:
            self.con.execute("insert into brief_log(at, channel, kind, month, as_of, ok, detail, statuses) "
                             "values (?, ?, ?, ?, ?, ?, ?, ?)",
                             (_now(), channel, kind, month, as_of, int(ok), detail,
                              None if statuses is None else json.dumps(statuses, sort_keys=True)))

    def last_statuses(self, channel: str, kinds: tuple[str, ...] = ("brief",)) -> dict | None:
        """The statuses of this channel's latest delivered send of `kinds` (None: nothing delivered yet)."""
        marks = ", ".join("?" for _ in kinds)
        row = self.con.execute(f"select statuses from brief_log where channel = ? and ok = 1 and statuses is not "
                               f"null and kind in ({marks}) order by id desc limit 1", (channel, *kinds)).fetchone()
        return None if row is None else json.loads(row[0])

    def log_pull(self, source: str, table: str, watermark: dict | None, rows_read: int, rows_new: int,
                 rows_changed: int, file: str, full: bool) -> None:
        """A pull that finished: its rows are in the raw folder, so the next pull starts from `watermark`."""
        self.con.execute("insert into pull_log(at, source, table_name, watermark, rows_read, rows_new, rows_changed, "
                         "file, full) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (_now(), source, table, _dumps(watermark) if watermark else None, rows_read, rows_new,
                          rows_changed, file, int(full)))

    def watermark(self, source: str, table: str) -> dict | None:
        """Where the next pull of a source's table starts; None: it was never pulled (or pulled empty)."""
        row = self.con.execute("select watermark from pull_log where source = ? and table_name = ? order by id desc "
                               "limit 1", (source, table)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def has_pulls(self) -> bool:
        """A store opened read-only from before pulls existed has no pull_log table."""
        return bool(self.con.execute("select count(*) from sqlite_master where name = 'pull_log'").fetchone()[0])

    def pull_log(self, limit: int = 50) -> list[dict]:
        cur = self.con.execute("select at, source, table_name, watermark, rows_read, rows_new, rows_changed, file, "
                               "full from pull_log order by id desc limit ?", (limit,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def brief_log(self, limit: int = 50) -> list[dict]:
        """The latest sends, newest first: when, channel, kind, month, as-of, delivered, what the service said."""
        try:
            rows = self.con.execute("select at, channel, kind, month, as_of, ok, detail from brief_log order by id "
                                    "desc limit ?", (limit,)).fetchall()
        except sqlite3.OperationalError:        # a store opened read-only from before the brief existed
            return []
        return [dict(zip(("at", "channel", "kind", "month", "as_of", "ok", "detail"), r)) for r in rows]

    def audit_log(self, limit: int = 500) -> list[dict]:
        """The audit, newest first: sign-ins and refusals, plan changes, check-ins and imports (each written with its
        change, see `_change`), exports of rows, unmasked views of personal data, account changes, uploads."""
        rows = self.con.execute("select at, who, action, what, rows from audit order by id desc limit ?",
                                (limit,)).fetchall()
        return [dict(zip(("at", "who", "action", "what", "rows"), r)) for r in rows]
