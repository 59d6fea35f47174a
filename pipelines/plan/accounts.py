"""Accounts, sign-ins and web sessions, in the plan store's file (`PlanStore.accounts`): password hashes, the
lock-out's attempts (claimed and settled under SQLite's write lock), the identity provider's bindings and the
sessions a reset or a sign-out ends. Who may do what is pipelines.plan.access's; this keeps the records.
"""
from __future__ import annotations

import datetime as dt

from pipelines.base.errors import NorthstarError
from pipelines.plan.stamps import now as _now
from pipelines.plan.stamps import token_hash as _token_hash


class Accounts:
    """The accounts part of one open plan store (it shares the store's connection and transactions)."""

    def __init__(self, store):
        self.store, self.con = store, store.con

    def set_password(self, user_id: str, password_hash: str, by: str, reset: bool) -> None:
        """Stores a salted hash (never the password) for a listed person: a new account, or `reset` an existing one."""
        key = user_id.casefold()
        if self.store.read_only:
            raise NorthstarError("store_read_only", path=str(self.store.path))
        exists = self.account_hash(key) is not None
        if exists and not reset:
            raise NorthstarError("account_exists", user=user_id)
        if reset and not exists:
            raise NorthstarError("account_missing", user=user_id)
        with self.con:
            self.con.execute("insert or replace into accounts values (?, ?, ?, ?)", (key, password_hash, _now(), by))
            self.store.runs._audit(by, "account", f"{'reset' if reset else 'add'} {key}")
        if reset:                      # a new password ends whatever the old one opened, in every browser
            self.end_sessions_of(key)

    def remove_account(self, user_id: str, by: str) -> None:
        key = user_id.casefold()
        with self.con:
            if self.con.execute("delete from accounts where user_id = ?", (key,)).rowcount == 0:
                raise NorthstarError("account_not_removed", user=user_id)
            self.store.runs._audit(by, "account", f"remove {key}")
        self.end_sessions_of(key)

    def account_hash(self, user_id: str) -> str | None:
        row = self.con.execute("select hash from accounts where user_id = ?", (user_id.casefold(),)).fetchone()
        return row[0] if row else None

    def ids(self) -> list[str]:
        return [r[0] for r in self.con.execute("select user_id from accounts order by user_id")]

    def open_session(self, token: str, user_id: str, started: dt.datetime, expires: dt.datetime) -> None:
        """A browser's sign-in, kept across reloads by a cookie holding `token` (only its hash is stored)."""
        with self.con:
            self.con.execute("insert into web_sessions values (?, ?, ?, ?, null)",
                             (_token_hash(token), user_id.casefold(), started.isoformat(timespec="seconds"),
                              expires.isoformat(timespec="seconds")))

    def session_of(self, token: str, now: dt.datetime) -> tuple[str, dt.datetime] | None:
        """(user id, started) of the live session this cookie token names; None when unknown, ended or expired."""
        row = self.con.execute("select user_id, started from web_sessions where token_hash = ? and ended is null "
                               "and expires > ?", (_token_hash(token), now.isoformat(timespec="seconds"))).fetchone()
        return (row[0], dt.datetime.fromisoformat(row[1])) if row else None

    def end_sessions_of(self, user_id: str, now: dt.datetime | None = None) -> None:
        """Ends every session of this person, in every browser and tab, stored or not: after a password reset, an
        account removed or a sign-out (each open page checks `session_live` on its next run)."""
        at = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        key = user_id.casefold()
        with self.con:
            self.con.execute("update web_sessions set ended = ? where user_id = ? and ended is null", (at, key))
            self.con.execute("insert or replace into session_cutoffs values (?, ?)", (key, at))

    def session_live(self, user_id: str, started: dt.datetime, token: str | None, now: dt.datetime) -> bool:
        """Whether a session of this person that began at `started` (with this cookie `token`, if it has one) is
        still open in the store: not ended, not expired, and not begun before the person's sessions were ended.
        Two indexed reads: cheap enough for every page run."""
        if token is not None and self.session_of(token, now) is None:
            return False
        row = self.con.execute("select at from session_cutoffs where user_id = ?", (user_id.casefold(),)).fetchone()
        return row is None or started >= dt.datetime.fromisoformat(row[0])

    def end_session(self, token: str, now: dt.datetime) -> None:
        with self.con:
            self.con.execute("update web_sessions set ended = ? where token_hash = ? and ended is null",
                             (now.isoformat(timespec="seconds"), _token_hash(token)))

    def record_sign_in(self, user_id: str, ok: bool, how: str, at: dt.datetime | None = None,
                       detail: str = "") -> None:
        """A sign-in and its audit row (`detail`, e.g. the provider's issuer and subject, goes after `how`)."""
        at_text = (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        with self.con:
            self.con.execute("insert into sign_ins values (?, ?, ?, ?)", (at_text, user_id.casefold(), int(ok), how))
            self.con.execute("insert into audit(at, who, action, what) values (?, ?, ?, ?)",
                             (at_text, user_id.casefold(), "sign_in" if ok else "sign_in_refused",
                              f"{how} {detail}".strip()))

    def claim_sign_in(self, user_id: str, how: str, at: dt.datetime, allow, source: str | None = None) -> int | None:
        """One atomic step under SQLite's write lock (BEGIN IMMEDIATE: one writer at a time, across threads and
        processes): the id's failures in a row — attempts still being checked count as failures — go to `allow`;
        when it says yes, this attempt is recorded as a failure *before* its password is checked, and its row id
        returned for `settle_sign_in`; otherwise None. So however many guesses arrive at once, no more than the
        limit are ever checked."""
        at_text = at.isoformat(timespec="seconds")
        self.con.execute("begin immediate")
        try:
            from_source = [] if source is None else [
                dt.datetime.fromisoformat(r[0]) for r in self.con.execute(
                    "select at from sign_in_sources where source = ? and ok = 0 order by at desc limit 200",
                    (source,)).fetchall()]
            if not allow(self.failures_in_a_row(user_id), from_source):
                self.con.execute("commit")
                return None
            row = self.con.execute("insert into sign_ins values (?, ?, 0, ?)", (at_text, user_id.casefold(), how))
            if source is not None:
                self.con.execute("insert into sign_in_sources values (?, ?, 0, ?)", (at_text, source, row.lastrowid))
            self.con.execute("commit")
            return row.lastrowid
        except BaseException:
            self.con.execute("rollback")
            raise

    def settle_sign_in(self, row: int, ok: bool, user_id: str, how: str, at: dt.datetime) -> None:
        """The checked attempt `row` (claim_sign_in): a right password turns it into a success; either way it is
        audited."""
        at_text = at.isoformat(timespec="seconds")
        self.con.execute("begin immediate")
        try:
            if ok:
                self.con.execute("update sign_ins set ok = 1 where rowid = ?", (row,))
                self.con.execute("update sign_in_sources set ok = 1 where attempt = ?", (row,))
            self.con.execute("insert into audit(at, who, action, what) values (?, ?, ?, ?)",
                             (at_text, user_id.casefold(), "sign_in" if ok else "sign_in_refused", how))
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise

    def bind_identity(self, user_id: str, issuer: str, sub: str, at: dt.datetime) -> tuple[str, str]:
        """The identity provider's account (issuer, sub) this person is bound to: bound now on their first
        sign-in, and what was bound before afterwards (so a different account naming the same person shows)."""
        key = user_id.casefold()
        self.con.execute("begin immediate")
        try:
            row = self.con.execute("select issuer, sub from oidc_identities where user_id = ?", (key,)).fetchone()
            if row is None:
                self.con.execute("insert into oidc_identities values (?, ?, ?, ?)",
                                 (key, issuer, sub, at.isoformat(timespec="seconds")))
                row = (issuer, sub)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        return row[0], row[1]

    def unlock(self, user_id: str, by: str, at: dt.datetime | None = None) -> bool:
        """Ends an id's run of failed sign-ins (an admin's `users unlock`: someone locked the id by guessing): the
        next attempt starts a new count. Returns whether there was a run to end."""
        key = user_id.casefold()
        had = bool(self.failures_in_a_row(key))
        at_text = (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        with self.con:
            self.con.execute("insert into sign_ins values (?, ?, 1, 'unlock')", (at_text, key))
            self.store.runs._audit(by, "account", f"unlock {key}")
        return had

    def unbind_identity(self, user_id: str) -> bool:
        """Forget the provider account bound to this person (an admin's `users unbind`: they moved accounts)."""
        with self.con:
            gone = self.con.execute("delete from oidc_identities where user_id = ?", (user_id.casefold(),)).rowcount
        return gone > 0

    def failures_in_a_row(self, user_id: str, limit: int = 100) -> list[dt.datetime]:
        """The failed sign-ins of this id since its last successful one (the latest `limit`), oldest first."""
        key = user_id.casefold()
        last_ok = self.con.execute("select max(at) from sign_ins where user_id = ? and ok = 1", (key,)).fetchone()[0]
        rows = self.con.execute("select at from sign_ins where user_id = ? and ok = 0 and at > ? "
                                "order by at desc limit ?", (key, last_ok or "", limit)).fetchall()
        return [dt.datetime.fromisoformat(r[0]) for r in reversed(rows)]
