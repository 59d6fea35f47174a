"""access.yaml and the policy (pipelines.plan.access): parsing with lines, rights by role, the scoped goal tree, the
command line's --as and `users`, password sign-in with lock-out, sessions that end."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from pipelines.delivery import trees
from pipelines.plan.access import (
    LOCAL,
    PAGES,
    ROLE_PAGES,
    ROLES,
    Access,
    Session,
    SignInRefused,
    User,
    access_from_doc,
    hash_password,
    load_access,
    sign_in,
    verify_password,
)
from pipelines.plan.org import load_org
from pipelines.plan.store import PlanStore, read_plan, store_path
from pipelines.plan.yamlcheck import PlanError
from tests.conftest import ROOT, make_raw, run_build

ACCESS = """\
auth: password
session_hours: 8
max_failures: 3
lockout_minutes: 10
users:
  - {id: boss, name: 老板, role: admin, pii: true}
  - {id: ceo, name: 林总, role: leader}
  - {id: plan, name: 计划, role: planner}
  - {id: lead-east, name: 东区长, role: zone_lead, war_zone: east}
  - {id: lead-south, name: 南区长, role: zone_lead, war_zone: south}
  - {id: c-community, name: 社群长, role: center_lead, center: community}
  - {id: ana, name: 分析, role: analyst}
"""
PASSWORD = "correct horse battery"


@pytest.fixture()
def built(tmp_path):
    """The hand-made network with ACCESS as its access.yaml, built."""
    make_raw(tmp_path)
    (tmp_path / "config" / "access.yaml").write_text(ACCESS, encoding="utf-8")
    run_build(tmp_path)
    return tmp_path


def cli(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, capture_output=True, text=True,
                          input=stdin, timeout=120)


# ---- the file ------------------------------------------------------------------------------------------------------

def test_access_yaml_is_read_with_every_field(built):
    access = load_access(built / "config", load_org(built / "config"))
    assert access.auth == "password" and access.session_hours == 8 and access.max_failures == 3
    assert [u.role for u in access.users] == ["admin", "leader", "planner", "zone_lead", "zone_lead", "center_lead",
                                              "analyst"]
    assert access.user("LEAD-EAST") == User("lead-east", "东区长", "zone_lead", war_zone="east")
    assert access.user("boss").pii is True and access.user("ceo").pii is False
    assert access.whom_to_ask() == "老板 (boss)"


def test_the_build_imports_access_yaml_into_the_plan_store(built):
    plan = read_plan(built / "wh.duckdb")
    assert plan.access == load_access(built / "config", load_org(built / "config"))
    assert access_from_doc(plan.access.doc()) == plan.access       # the store's copy round-trips


def test_no_access_yaml_is_open(hand_made):
    plan = read_plan(hand_made / "wh.duckdb")
    assert plan.access.auth == "open" and plan.access.configured is False and plan.access.users == ()


def test_every_problem_is_named_with_its_line(tmp_path):
    make_raw(tmp_path)
    (tmp_path / "config" / "access.yaml").write_text(
        "auth: ldap\n"
        "users:\n"
        "  - {id: a, role: boss}\n"
        "  - {id: b, role: zone_lead, war_zone: west}\n"
        "  - {id: c, role: center_lead}\n"
        "  - {id: d, role: analyst, war_zone: east}\n"
        "  - {id: A, role: leader}\n"
        "  - {id: e, role: leader, pii: yes please}\n"
        "  - {id: f, role: leader, email: f@x}\n"
        "  - {id: g, role: analyst, pii: true}\n", encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_access(tmp_path / "config", load_org(tmp_path / "config"))
    text = str(err.value)
    for expected in ("line 1, auth: 'ldap': expected one of open, password, oidc",
                     "line 3, users[0].role: 'boss'",
                     "line 4, users[1].war_zone: a zone lead needs the war zone they lead, one of "
                     "org.yaml's: east, south",
                     "line 5, users[2].center: a center lead needs the center they lead",
                     "line 6, users[3].war_zone: only a zone_lead has a war zone",
                     "line 7, users[4].id: 'A' is listed twice (first on line 3)",
                     "line 8, users[5].pii: 'yes please': true or false",
                     "line 9, users[6].email: unknown field",
                     "line 10, users[7].pii: an analyst never sees personal data"):
        assert expected in text, expected


def test_password_sign_in_needs_an_admin(tmp_path):
    make_raw(tmp_path)
    (tmp_path / "config" / "access.yaml").write_text("auth: password\nusers: [{id: a, role: leader}]\n")
    with pytest.raises(PlanError, match="at least one admin"):
        load_access(tmp_path / "config", load_org(tmp_path / "config"))


# ---- rights ---------------------------------------------------------------------------------------------------------

def test_rights_by_role():
    east = User("z", "z", "zone_lead", war_zone="east")
    comm = User("c", "c", "center_lead", center="community")
    ana = User("a", "a", "analyst")
    assert set(ROLE_PAGES) == set(ROLES) and all(set(p) <= set(PAGES) for p in ROLE_PAGES.values())
    assert [p for p in PAGES if east.can_read(p)] == ["board", "war_zone", "plan", "centers"]
    assert [p for p in PAGES if comm.can_read(p)] == ["board", "centers"]
    assert [p for p in PAGES if ana.can_read(p)] == ["board", "cohorts", "growth", "data"]
    assert east.sees_zone_detail("east") and not east.sees_zone_detail("south") and not east.sees_zone_detail(None)
    assert not ana.sees_zone_detail("east") and not comm.sees_zone_detail("east")
    assert east.can_edit_target("team", "east") and east.can_edit_target("person", "east")
    assert not east.can_edit_target("war_zone", "east") and not east.can_edit_target("team", "south")
    assert not east.can_edit_target("company", None) and not ana.can_edit_target("team", "east")
    assert comm.can_check_in("community") and not comm.can_check_in("content")
    assert comm.can_edit_center("community") and not comm.can_edit_center("content")
    assert not User("p", "p", "planner").can_check_in("community")
    assert User("p", "p", "planner").can_edit_target("company", None)
    assert not User("l", "l", "leader").writes_plan and not User("l", "l", "leader").can_edit_target("team", "east")
    assert LOCAL.can_upload and LOCAL.can_audit and not LOCAL.pii      # open mode never unmasks a phone
    assert not any(User("x", "x", r).can_upload for r in ROLES if r != "admin")


def test_a_role_the_policy_does_not_know_has_no_right():
    ghost = User("g", "g", "superuser")
    assert ghost.pages == () and not ghost.writes_plan and not ghost.can_upload and not ghost.sees_zone_detail("east")


# ---- the scoped tree ------------------------------------------------------------------------------------------------

def test_a_zone_lead_sees_every_total_and_their_own_zone_only(built):
    db, access = built / "wh.duckdb", read_plan(built / "wh.duckdb").access
    full = trees.load(db, "2026-11")
    east = trees.load(db, "2026-11", user=access.user("lead-east"))
    assert [n.id for n in east.nodes] == ["company", "east", "e1", "pa", "pb", "e2", "pc", "south",
                                          "company/unassigned", "community", "content", "centers/unassigned"]
    south = trees.load(db, "2026-11", user=access.user("lead-south"))
    assert [n.id for n in south.nodes] == ["company", "east", "south", "s1", "pd", "company/unassigned",
                                           "community", "content", "centers/unassigned"]
    assert south.node("east").children == () and full.node("east").children == ("e1", "e2")
    for scoped in (east, south):   # totals are not recomputed from what the person sees
        for n in scoped.nodes:
            assert n.metrics == full.node(n.id).metrics
    assert set(south.drivers) <= {n.id for n in south.nodes} and "e1" not in south.drivers


def test_readers_without_a_zone_see_totals_only(built):
    db, access = built / "wh.duckdb", read_plan(built / "wh.duckdb").access
    for uid in ("ana", "c-community"):
        tree = trees.load(db, "2026-11", user=access.user(uid))
        assert {n.level for n in tree.nodes} == {"company", "war_zone", "center"}
    assert trees.load(db, "2026-11", user=access.user("ceo")).nodes == trees.load(db, "2026-11").nodes


def test_cli_tree_as_a_zone_lead(built):
    db = str(built / "wh.duckdb")
    out = cli("tree", "--month", "2026-11", "--db", db, "--format", "json", "--as", "lead-south")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["viewer"] == {"id": "lead-south", "role": "zone_lead", "war_zone": "south", "center": None}
    assert [n["id"] for n in doc["nodes"] if n["level"] in ("team", "person")] == ["s1", "pd"]
    assert [n["metrics"]["members"]["actual"] for n in doc["nodes"] if n["level"] == "war_zone"] == [3, 0, 1]
    table = cli("tree", "--month", "2026-11", "--db", db, "--as", "lead-south")
    assert "as 南区长 (lead-south), zone_lead: every total; the teams and people of south only" in table.stdout
    assert "甲" not in table.stdout and "丁" in table.stdout


def test_cli_as_an_unknown_person_or_a_page_they_may_not_read(built):
    db = str(built / "wh.duckdb")
    out = cli("tree", "--month", "2026-11", "--db", db, "--as", "stranger")
    assert out.returncode == 2 and out.stdout == ""
    assert "--as stranger: no such person in access.yaml (listed: boss, ceo, plan, lead-east" in out.stderr
    out = cli("cohorts", "--db", db, "--as", "lead-east")
    assert out.returncode == 2 and out.stdout == ""
    assert "东区长 (lead-east) is a zone_lead, who may not read cohorts" in out.stderr
    assert cli("cohorts", "--db", db, "--as", "ana").returncode == 0


# ---- accounts and sign-in --------------------------------------------------------------------------------------------

def test_users_add_reset_remove_keep_only_a_salted_hash(built):
    db = str(built / "wh.duckdb")
    out = cli("users", "add", "lead-east", "--password-stdin", "--db", db, stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert "account added for 东区长 (lead-east), zone_lead" in out.stdout and PASSWORD not in out.stdout + out.stderr
    again = cli("users", "add", "lead-east", "--password-stdin", "--db", db, stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "has an account already" in again.stderr
    assert cli("users", "add", "nobody", "--password-stdin", "--db", db, stdin=PASSWORD + "\n").returncode == 2
    short = cli("users", "reset", "lead-east", "--password-stdin", "--db", db, stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    path = store_path(built / "wh.duckdb")
    raw = path.read_bytes() + (path.with_name(path.name + "-wal").read_bytes()
                               if path.with_name(path.name + "-wal").exists() else b"")
    assert PASSWORD.encode() not in raw
    with PlanStore(path, read_only=True) as store:
        stored = store.accounts.account_hash("lead-east")
    assert stored.startswith("$argon2id$") and verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert hash_password(PASSWORD) != hash_password(PASSWORD)        # salted: the same password, two hashes
    assert cli("users", "reset", "lead-east", "--password-stdin", "--db", db,
               stdin="another long one\n").returncode == 0
    listed = cli("users", "list", "--db", db)
    assert "lead-east" in listed.stdout and "$argon2" not in listed.stdout
    assert cli("users", "remove", "lead-east", "--db", db).returncode == 0
    assert cli("users", "remove", "lead-east", "--db", db).returncode == 2
    with sqlite3.connect(path) as con:
        actions = [r[0] for r in con.execute("select what from audit where action = 'account' order by id")]
    assert actions == ["add lead-east", "reset lead-east", "remove lead-east"]


def test_sign_in_locks_after_repeated_failures_and_says_nothing_of_which_ids_exist(built):
    access = read_plan(built / "wh.duckdb").access          # max_failures 3, lockout 10 minutes
    t0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
    with PlanStore(store_path(built / "wh.duckdb")) as store:
        store.accounts.set_password("ceo", hash_password(PASSWORD), "test", reset=False)
        assert sign_in(store, access, " CEO ", PASSWORD, now=t0).id == "ceo"
        for i, left in enumerate((2, 1)):
            with pytest.raises(SignInRefused) as err:
                sign_in(store, access, "ceo", "wrong password!", now=t0 + dt.timedelta(minutes=i + 1))
            assert err.value.reason == "wrong" and err.value.left == left
        with pytest.raises(SignInRefused) as err:
            sign_in(store, access, "ceo", "wrong password!", now=t0 + dt.timedelta(minutes=3))
        assert err.value.reason == "locked" and err.value.until == t0 + dt.timedelta(minutes=13)
        with pytest.raises(SignInRefused) as err:    # the right password does not open a locked account
            sign_in(store, access, "ceo", PASSWORD, now=t0 + dt.timedelta(minutes=12))
        assert err.value.reason == "locked"
        assert sign_in(store, access, "ceo", PASSWORD, now=t0 + dt.timedelta(minutes=13)).id == "ceo"
        # an id with no account and an id not listed fail the same way as a wrong password
        for uid in ("plan", "stranger"):
            with pytest.raises(SignInRefused) as err:
                sign_in(store, access, uid, PASSWORD, now=t0 + dt.timedelta(minutes=20))
            assert (err.value.reason, str(err.value)) == ("wrong", "wrong id or password")
        rows = store.con.execute("select user_id, ok from sign_ins order by at, rowid").fetchall()
        audit = store.con.execute("select action, what from audit where action like 'sign_in%'").fetchall()
    assert rows == [("ceo", 1), ("ceo", 0), ("ceo", 0), ("ceo", 0), ("ceo", 1), ("plan", 0), ("stranger", 0)]
    assert ("sign_in_refused", "locked") in audit and audit.count(("sign_in", "password")) == 2


def test_an_admin_ends_a_lock_out_someone_caused_by_guessing(built):
    """Issue 33.11: anyone can lock any id (the admin's too) for lockout_minutes by guessing; `users unlock` ends
    it at once, audited, and the next wrong guesses start a new count."""
    access = read_plan(built / "wh.duckdb").access          # max_failures 3
    t0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
    with PlanStore(store_path(built / "wh.duckdb")) as store:
        store.accounts.set_password("ceo", hash_password(PASSWORD), "test", reset=False)
        for i in range(3):
            with pytest.raises(SignInRefused):
                sign_in(store, access, "ceo", "wrong password!", now=t0 + dt.timedelta(seconds=i))
        with pytest.raises(SignInRefused) as err:
            sign_in(store, access, "ceo", PASSWORD, now=t0 + dt.timedelta(minutes=1))
        assert err.value.reason == "locked"
    out = cli("users", "unlock", "ceo", "--db", str(built / "wh.duckdb"))
    assert out.returncode == 0 and "ceo unlocked" in out.stdout, out.stderr
    with PlanStore(store_path(built / "wh.duckdb")) as store:
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
        assert sign_in(store, access, "ceo", PASSWORD, now=later).id == "ceo"
        assert ("account", "unlock ceo") in store.con.execute("select action, what from audit").fetchall()
    again = cli("users", "unlock", "ceo", "--db", str(built / "wh.duckdb"))
    assert again.returncode == 0 and "it was not locked" in again.stdout


@pytest.mark.parametrize("guesses", [12, 24])
def test_the_lock_out_holds_when_guesses_arrive_at_once(built, guesses):
    """Issue 33.1: many guesses for one id at the same moment, each from a thread with its own connection (as each
    browser tab is), the right password last in the list: no more than `max_failures` (3) passwords are ever
    checked, the rest are refused as locked without a check. Before the fix every guess was checked and the right
    one signed in."""
    import threading

    from pipelines.plan import access as access_mod

    db = built / "wh.duckdb"
    access = read_plan(db).access
    assert access.max_failures == 3
    with PlanStore(store_path(db)) as store:
        store.accounts.set_password("ceo", hash_password(PASSWORD), "test", reset=False)
        store.con.execute("delete from sign_ins")
    checked, results = [], []
    real_verify = access_mod.verify_password

    def counting(stored, password):
        checked.append(password)
        return real_verify(stored, password)

    start = threading.Barrier(guesses)

    def guess(password: str) -> None:
        with PlanStore(store_path(db)) as store:
            start.wait()
            try:
                results.append(sign_in(store, access, "ceo", password).id)
            except SignInRefused as err:
                results.append(err.reason)

    passwords = [f"wrong guess {i:02d}" for i in range(guesses - 1)] + [PASSWORD]
    original = access_mod.verify_password
    access_mod.verify_password = counting
    try:
        threads = [threading.Thread(target=guess, args=(p,)) for p in passwords]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        access_mod.verify_password = original
    assert len(results) == guesses
    assert len(checked) <= access.max_failures, f"{len(checked)} passwords checked"
    assert results.count("locked") >= guesses - access.max_failures
    with PlanStore(store_path(db), read_only=True) as store:
        claimed = store.con.execute("select count(*) from sign_ins where user_id = 'ceo'").fetchone()[0]
    assert claimed == len(checked)                  # every checked attempt was counted before its check


def test_a_browsers_session_is_stored_by_the_hash_of_its_token_and_ends(tmp_path):
    t0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
    token = "x" * 43
    with PlanStore(tmp_path / "p.plan.sqlite") as store:
        store.accounts.open_session(token, "CEO", t0, t0 + dt.timedelta(hours=12))
        assert store.accounts.session_of(token, t0 + dt.timedelta(hours=1)) == ("ceo", t0)
        assert store.accounts.session_of(token, t0 + dt.timedelta(hours=12)) is None          # expired
        assert store.accounts.session_of("y" * 43, t0) is None                                 # unknown
        store.accounts.end_session(token, t0 + dt.timedelta(hours=2))
        assert store.accounts.session_of(token, t0 + dt.timedelta(hours=3)) is None            # signed out
        stored = store.con.execute("select token_hash from web_sessions").fetchall()
    assert stored and token not in str(stored)


def test_a_reset_a_removal_and_a_sign_out_end_every_session_of_the_person(tmp_path):
    """Issue 33.3: the store ends all of a person's sessions — stored ones (a cookie) and ones that live only in an
    open tab (started before the cut) — on a password reset, an account removed, or a sign-out; another person's
    and a later sign-in's stay open."""
    t0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
    hour = dt.timedelta(hours=1)
    with PlanStore(tmp_path / "p.plan.sqlite") as store:
        store.accounts.set_password("ceo", hash_password(PASSWORD), "test", reset=False)
        store.accounts.open_session("a" * 43, "ceo", t0, t0 + 12 * hour)
        store.accounts.open_session("b" * 43, "ceo", t0, t0 + 12 * hour)
        store.accounts.open_session("c" * 43, "cfo", t0, t0 + 12 * hour)
        assert store.accounts.session_live("ceo", t0, "a" * 43, t0 + hour) and store.accounts.session_live(
            "ceo", t0, None, t0 + hour
        )
        store.accounts.set_password("ceo", hash_password(PASSWORD), "test", reset=True)  # the reset, now (after t0)
        assert not store.accounts.session_live("ceo", t0, "a" * 43, t0 + hour)
        assert not store.accounts.session_live("ceo", t0, "b" * 43, t0 + hour)
        assert not store.accounts.session_live("ceo", t0, None, t0 + hour)  # a tab without a cookie too
        assert store.accounts.session_live("cfo", t0, "c" * 43, t0 + hour)                    # someone else's: open
        later = dt.datetime.now(dt.timezone.utc) + hour
        assert store.accounts.session_live("ceo", later, None, later)                         # signed in again after it
        store.accounts.end_sessions_of("cfo", later)                                           # a sign-out in any tab
        assert not store.accounts.session_live("cfo", t0, "c" * 43, later)
        store.accounts.open_session("d" * 43, "ceo", later, later + 12 * hour)
        store.accounts.remove_account("ceo", "test")
        assert not store.accounts.session_live("ceo", later, "d" * 43, later)


def test_a_session_ends_after_session_hours():
    access = Access(auth="password", session_hours=8)
    start = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.timezone.utc)
    session = Session("ceo", "password", start)
    assert not session.expired(access, start + dt.timedelta(hours=7, minutes=59))
    assert session.expired(access, start + dt.timedelta(hours=8))


def test_claims_name_a_listed_person_or_carry_a_role(built):
    org = load_org(built / "config")
    access = Access(auth="oidc", users=(User("a@x.cn", "A", "leader"),),
                    oidc=access_from_doc({"oidc": {"role_claim": "ns_role", "war_zone_claim": "zone"}}).oidc)
    assert access.from_claims({"email": "A@X.cn", "ns_role": "admin"}, org).role == "leader"   # the list wins
    made = access.from_claims({"email": "b@x.cn", "name": "B", "ns_role": "zone_lead", "zone": "south"}, org)
    assert made == User("b@x.cn", "B", "zone_lead", war_zone="south")
    assert access.from_claims({"email": "c@x.cn", "ns_role": "zone_lead", "zone": "mars"}, org) is None
    assert access.from_claims({"email": "d@x.cn", "ns_role": "root"}, org) is None
    assert access.from_claims({"email": "e@x.cn"}, org) is None
    assert access.from_claims({"sub": "123"}, org) is None


def test_an_identity_provider_sign_in_is_verified_bound_and_traced(built):
    """Issue 33.2: an e-mail the provider does not assert as verified names nobody (mallory typed the admin's
    address into her own account); a person's first sign-in binds their provider account (issuer + subject) and a
    later one naming them from another account is refused; claims without issuer and subject are refused; every
    audit row carries issuer and subject; `users unbind` lets a person who moved accounts bind the new one."""
    from pipelines.plan.access import oidc_sign_in

    access = Access(auth="oidc", users=(User("a@x.cn", "A", "admin"),))
    iss = "http://127.0.0.1:9/idp"
    real = {"iss": iss, "sub": "u-1", "email": "a@x.cn", "email_verified": True}
    mallory = {"iss": iss, "sub": "mallory", "email": "A@x.cn", "email_verified": False}
    t0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
    with PlanStore(store_path(built / "wh.duckdb")) as store:
        assert oidc_sign_in(store, access, mallory, now=t0) == (None, "unverified", "A@x.cn")
        assert oidc_sign_in(store, access, {**mallory, "email_verified": "true"}, now=t0)[1] == "unverified"
        assert oidc_sign_in(store, access, {k: v for k, v in real.items() if k != "email_verified"}, now=t0)[1] == \
            "unverified"                                   # not asserted is not verified
        assert oidc_sign_in(store, access, {**real, "sub": ""}, now=t0)[1] == "incomplete"
        user, reason, _ = oidc_sign_in(store, access, real, now=t0)
        assert (user.id, reason) == ("a@x.cn", "ok")
        assert oidc_sign_in(store, access, real, now=t0)[1] == "ok"              # the same account again
        # a second account whose verified address is the same person's (a reissued mailbox, another tenant)
        other = {**real, "sub": "u-2"}
        assert oidc_sign_in(store, access, other, now=t0)[:2] == (None, "bound")
        assert oidc_sign_in(store, access, {**real, "iss": "http://127.0.0.1:9/other"}, now=t0)[1] == "bound"
        audit = store.con.execute("select who, action, what from audit where action like 'sign_in%' "
                                  "order by id").fetchall()
    assert audit[0] == ("a@x.cn", "sign_in_refused", f"oidc iss={iss} sub=mallory (unverified)")
    assert len([a for a in audit if a[2] == f"oidc iss={iss} sub=u-1"]) == 1    # the same sign-in twice: one line
    assert ("a@x.cn", "sign_in", f"oidc iss={iss} sub=u-1") in audit
    assert ("a@x.cn", "sign_in_refused", f"oidc iss={iss} sub=u-2 (bound)") in audit
    out = cli("users", "unbind", "a@x.cn", "--db", str(built / "wh.duckdb"))
    assert out.returncode == 0 and "unbound" in out.stdout, out.stderr
    with PlanStore(store_path(built / "wh.duckdb")) as store:
        assert oidc_sign_in(store, access, other, now=t0)[1] == "ok"               # the new account, bound now
        # issue 33.11: one audit row per sign-in at the provider (its iat), not one per page load showing it
        for _ in range(4):
            oidc_sign_in(store, access, {**other, "iat": 1_790_000_000}, now=t0)
        oidc_sign_in(store, access, {**other, "iat": 1_790_000_600}, now=t0)
        lines = store.con.execute("select what from audit where what like '%sub=u-2 iat=%'").fetchall()
    assert sorted(w for (w,) in lines) == [f"oidc iss={iss} sub=u-2 iat=1790000000",
                                          f"oidc iss={iss} sub=u-2 iat=1790000600"]
    again = cli("users", "unbind", "nobody@x.cn", "--db", str(built / "wh.duckdb"))
    assert again.returncode == 2 and "not bound" in again.stderr


def test_the_audit_lists_sign_ins_exports_and_plan_changes_newest_first(built):
    with PlanStore(store_path(built / "wh.duckdb")) as store:
        store.accounts.record_sign_in("ceo", True, "password")
        store.set_targets("2026-11", {("team", "e1", "members"): 9}, who="计划 (plan)")
        store.add_checkin("kr-x", dt.date(2026, 11, 20), 3, who="社群长 (c-community)")
        store.runs.audit("ceo", "export", "new-stations-east-2026-11.csv", 3)
        store.runs.audit("boss", "pii_view", "cohort 2026-10 M1 active", 2)
        log = store.runs.audit_log(10)
    assert [(r["who"], r["action"], r["rows"]) for r in log[:5]] == [
        ("boss", "pii_view", 2), ("ceo", "export", 3), ("社群长 (c-community)", "checkin", 1),
        ("计划 (plan)", "plan_change", 1), ("ceo", "sign_in", None)]
    assert log[-1]["action"] == "import" and log[-1]["rows"] > 0      # the build's import of the plan files


def test_one_address_guessing_over_many_ids_is_throttled(built):
    """Issue 33.11: the lock-out was per id only, so one address could lock every account in turn. An address
    whose wrong guesses over any ids reach max_failures × SOURCE_FACTOR in a lock-out window is refused before any
    password is checked — even a right one — while other addresses sign in as usual."""
    from pipelines.plan.access import SOURCE_FACTOR

    access = read_plan(built / "wh.duckdb").access          # max_failures 3, lockout 10 minutes
    t0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
    with PlanStore(store_path(built / "wh.duckdb")) as store:
        store.accounts.set_password("ceo", hash_password(PASSWORD), "test", reset=False)
        for i in range(access.max_failures * SOURCE_FACTOR):      # 2 guesses per id: no id locks on its own
            with pytest.raises(SignInRefused) as err:
                sign_in(store, access, f"id{i // 2}", "wrong password!", now=t0 + dt.timedelta(seconds=i),
                        source="203.0.113.9")
            assert err.value.reason == "wrong"
        with pytest.raises(SignInRefused) as err:                  # the address is throttled, whatever the id
            sign_in(store, access, "ceo", PASSWORD, now=t0 + dt.timedelta(minutes=1), source="203.0.113.9")
        assert err.value.reason == "locked"
        assert sign_in(store, access, "ceo", PASSWORD, now=t0 + dt.timedelta(minutes=1), source="198.51.100.7").id \
            == "ceo"                                               # another address: as usual
        later = t0 + dt.timedelta(minutes=12)                      # the window has passed
        assert sign_in(store, access, "ceo", PASSWORD, now=later, source="203.0.113.9").id == "ceo"
