"""The plan store: append-only history, latest change wins, imports only what changed, never blocks readers."""
from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import time

import pytest

from pipelines.base.errors import NorthstarError
from pipelines.plan.folder import load_plan
from pipelines.plan.store import PlanStore, export_plan, read_plan, store_path
from tests.conftest import ROOT, make_raw, run_build
from tests.test_plan import GOALS_YAML, TARGETS_CSV, write_plan

KEY = ("2026-11", "team", "e1", "members")


@pytest.fixture()
def config(tmp_path):
    path = tmp_path / "config"
    path.mkdir()
    return write_plan(path)


@pytest.fixture()
def store(tmp_path):
    with PlanStore(tmp_path / "p.plan.sqlite") as s:
        yield s


def test_store_path_sits_beside_the_warehouse(tmp_path):
    assert store_path(tmp_path / "warehouse.duckdb") == tmp_path / "warehouse.plan.sqlite"


def test_first_import_takes_everything_and_a_second_takes_nothing(store, config):
    first = store.import_config(config)
    assert first.files == ["org.yaml", "goals.yaml", "targets.csv"]
    # settings: north_star, status, time_zone (issue 18.3) and the org
    assert first.changed == {"setting": 4, "key_action": 1, "key_result": 2, "target": 4}
    assert store.targets() == load_plan(config).targets
    again = store.import_config(config)
    assert again.files == [] and again.change_id is None
    assert [h["who"] for h in store.history()] == ["config files"]


def test_an_app_edit_survives_an_import_of_a_file_that_did_not_touch_it(store, config):
    store.import_config(config)
    store.set_target(*KEY, 1500, who="王经理")
    # The lead edits another row of targets.csv: only that row is imported; the app's 1500 stays.
    (config / "targets.csv").write_text(TARGETS_CSV.replace("2026-11,war_zone,east,stations,6",
                                                            "2026-11,war_zone,east,stations,8"), encoding="utf-8")
    result = store.import_config(config)
    assert result.files == ["targets.csv"] and result.changed == {"target": 1}
    targets = store.targets()
    assert targets[KEY] == 1500
    assert targets[("2026-11", "war_zone", "east", "stations")] == 8
    # Now the file changes that very row: the file's change is the latest and wins.
    (config / "targets.csv").write_text(TARGETS_CSV.replace('"1,200"', "1300"), encoding="utf-8")
    store.import_config(config)
    assert store.targets()[KEY] == 1300
    assert [(h["target"], h["who"], h["source"]) for h in store.target_history(*KEY)] == [
        (1200, "config files", "import"), (1500, "王经理", "app"), (1300, "config files", "import")]


def test_a_row_removed_from_the_file_removes_the_target(store, config):
    store.import_config(config)
    (config / "targets.csv").write_text(TARGETS_CSV.replace("2026-11,company,company,stations,10\n", ""),
                                        encoding="utf-8")
    result = store.import_config(config)
    assert result.changed == {"target": 1}
    assert ("2026-11", "company", "company", "stations") not in store.targets()
    assert len(store.targets()) == 3


def test_app_can_remove_a_target_and_history_keeps_who_and_when(store, config):
    store.import_config(config)
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    store.set_target(*KEY, None, who="李总")
    assert KEY not in store.targets()
    last = store.history()[0]
    assert last["who"] == "李总" and last["source"] == "app" and last["targets"] == 1
    assert dt.datetime.fromisoformat(last["at"]) >= before


@pytest.mark.parametrize("args, words", [
    (("2026-13", "team", "e1", "members", 5, "x"), "not a target"),
    (("2026-11", "squad", "e1", "members", 5, "x"), "not a target"),
    (("2026-11", "team", "e1", "members", -5, "x"), "not a number ≥ 0"),
    (("2026-11", "team", "e1", "members", 5, " "), "say who"),
])
def test_bad_app_edits_are_refused_and_write_nothing(store, args, words):
    with pytest.raises(NorthstarError, match=words):
        store.set_target(*args[:5], who=args[5])
    assert store.history() == []


def test_checkins_latest_per_date_wins(store):
    store.add_checkin("kr-2", dt.date(2026, 11, 10), 1, who="郑丽")
    store.add_checkin("kr-2", dt.date(2026, 11, 20), 2, who="郑丽", comment="杭州场")
    store.add_checkin("kr-2", dt.date(2026, 11, 20), 3, who="孙浩", comment="更正")
    rows = store.checkins()
    assert [(r["on_date"], r["value"], r["who"], r["comment"]) for r in rows] == [
        ("2026-11-10", 1, "郑丽", ""), ("2026-11-20", 3, "孙浩", "更正")]


def test_export_round_trips_through_the_loader(store, config, tmp_path):
    store.import_config(config)
    store.set_target(*KEY, 1500, who="王经理")
    export_plan(store.current(), tmp_path / "out")
    original, exported = load_plan(config), load_plan(tmp_path / "out")
    assert exported.targets == {**original.targets, KEY: 1500}
    assert exported.key_actions == original.key_actions
    assert exported.north_star == original.north_star and exported.at_risk == original.at_risk == 0.8
    assert exported.org.nodes == original.org.nodes and exported.org.channels == original.org.channels


def test_a_reader_is_not_blocked_by_an_open_write(tmp_path, config):
    path = tmp_path / "p.plan.sqlite"
    with PlanStore(path) as store:
        store.import_config(config)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("begin immediate")
    writer.execute("insert into changes(at, who, source) values ('now', 'someone', 'app')")
    writer.execute("insert into target_log values (last_insert_rowid(), '2026-11', 'team', 'e1', 'members', 9)")
    try:
        start = time.perf_counter()
        with PlanStore(path, read_only=True) as reader:
            targets = reader.targets()
        took = time.perf_counter() - start
        assert targets[KEY] == 1200          # the committed state, not the half-written one
        assert took < 1.0                    # did not wait for the writer (the busy timeout is 10 s)
    finally:
        writer.execute("rollback")
        writer.close()


def test_a_second_writer_waits_then_reports_busy_clearly(tmp_path, config):
    path = tmp_path / "p.plan.sqlite"
    with PlanStore(path) as store:
        store.import_config(config)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin immediate")
    try:
        store = PlanStore(path)
        store.con.execute("pragma busy_timeout = 100")
        with pytest.raises(NorthstarError, match="is busy"):
            store.set_target(*KEY, 5, who="x")
        store.close()
    finally:
        holder.execute("rollback")
        holder.close()


def test_build_imports_the_plan_and_reimports_only_changes(tmp_path):
    make_raw(tmp_path)
    write_plan(tmp_path / "config", org=None)  # keep conftest's org.yaml written by make_raw
    first = run_build(tmp_path)
    assert first.plan_store == tmp_path / "wh.plan.sqlite"
    assert first.plan_import.files == ["org.yaml", "goals.yaml", "targets.csv"]
    assert read_plan(tmp_path / "wh.duckdb").targets == load_plan(tmp_path / "config").targets
    second = run_build(tmp_path)
    assert second.plan_import.files == []


def test_a_bad_plan_stops_the_build_and_keeps_the_warehouse(tmp_path):
    make_raw(tmp_path)
    run_build(tmp_path)
    before = (tmp_path / "wh.duckdb").read_bytes()
    (tmp_path / "config" / "targets.csv").write_text("month,level,node_id,metric,target\n2026-11,team,e9,members,5\n",
                                                     encoding="utf-8")
    with pytest.raises(NorthstarError, match=r"targets.csv, line 2, node_id: unknown team 'e9'"):
        run_build(tmp_path)
    assert (tmp_path / "wh.duckdb").read_bytes() == before


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


def test_plan_cli_import_export_and_errors(tmp_path, config):
    db = tmp_path / "wh.duckdb"
    out = cli("plan", "import", "--config", str(config), "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "imported org.yaml, goals.yaml, targets.csv as change 1" in out.stdout
    assert "4 targets" in out.stdout
    out = cli("plan", "export", "--db", str(db), "--out", str(tmp_path / "exp"))
    assert out.returncode == 0 and "(4 targets, 1 key actions)" in out.stdout
    assert load_plan(tmp_path / "exp").targets == load_plan(config).targets
    out = cli("plan", "history", "--db", str(db))
    assert out.returncode == 0 and "config files" in out.stdout
    # issue 36: in Beijing time, as every page writes it (no warehouse here to name another zone), not UTC
    with PlanStore(store_path(db), read_only=True) as st:
        at = dt.datetime.fromisoformat(st.history()[0]["at"])
    local = at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"{local:%Y-%m-%d %H:%M} Beijing time" in out.stdout and "UTC" not in out.stdout
    (config / "goals.yaml").write_text(GOALS_YAML.replace("at_risk: 0.8", "at_risk: 2"), encoding="utf-8")
    out = cli("plan", "import", "--config", str(config), "--db", str(db))
    assert out.returncode == 2
    assert out.stderr.startswith(f"error: {config / 'goals.yaml'}, line 7, status.at_risk: 2 is out of range")
    assert "Traceback" not in out.stderr
    out = cli("plan", "export", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x"))
    assert out.returncode == 2 and "no plan store at" in out.stderr


def test_set_targets_is_one_change_with_who_and_the_history_per_node(store, config):
    store.import_config(config)
    before = store.targets()
    cid = store.set_targets("2026-12", {("team", "e1", "members"): 120, ("team", "e1", "stations"): 4,
                                        ("person", "pa", "members"): None}, who="李娜")
    assert store.history(1)[0] | {"at": None} == {"id": cid, "at": None, "who": "李娜", "source": "app",
                                                   "note": "targets 2026-12: 3", "targets": 3, "key_actions": 0,
                                                   "checkins": 0}
    after = store.targets()
    assert after[("2026-12", "team", "e1", "members")] == 120 and after[("2026-12", "team", "e1", "stations")] == 4
    assert {k: v for k, v in after.items() if k[0] != "2026-12"} == before     # other months untouched
    store.set_targets("2026-12", {("team", "e1", "members"): 150}, who="王芳")
    rows = [(r["month"], r["metric"], r["target"], r["who"]) for r in store.node_history("team", "e1")]
    assert rows[:3] == [("2026-12", "members", 150, "王芳"), ("2026-12", "members", 120, "李娜"),
                        ("2026-12", "stations", 4, "李娜")]      # newest change first; the earlier value stays
    assert store.targets()[("2026-12", "team", "e1", "members")] == 150


@pytest.mark.parametrize("entries, message", [
    ({("team", "e1", "members"): -5}, "not a number ≥ 0"),
    ({("team", "e1", "members"): float("nan")}, "not a number ≥ 0"),
    ({("team", "e1", "members"): "12"}, "not a number ≥ 0"),
    ({("center", "community", "stations"): 3}, "member targets only"),
    ({("region", "e1", "members"): 3}, "not a target"),
])
def test_set_targets_refuses_a_bad_entry_and_writes_nothing(store, config, entries, message):
    store.import_config(config)
    before = (store.targets(), len(store.history(1000)))
    with pytest.raises(NorthstarError, match=message):
        store.set_targets("2026-12", {("team", "e2", "members"): 10, **entries}, who="李娜")
    assert (store.targets(), len(store.history(1000))) == before


def test_set_targets_needs_a_name_and_nothing_to_save_is_no_change(store):
    with pytest.raises(NorthstarError, match="who"):
        store.set_targets("2026-12", {("team", "e1", "members"): 1}, who=" ")
    assert store.set_targets("2026-12", {}, who="李娜") is None
    assert store.history() == []


def test_targets_csv_reads_back_as_the_same_targets():
    from pipelines.plan.goals import parse_targets
    from pipelines.plan.org import Org
    from pipelines.plan.store import targets_csv
    from pipelines.plan.yamlcheck import Problems

    nodes = [dict(id="co", parent=None, level="company"), dict(id="z2", parent="co", level="war_zone"),
             dict(id="z1", parent="co", level="war_zone"), dict(id="c1", parent="co", level="center")]
    targets = {("2026-12", "war_zone", "z1", "stations"): 3.0, ("2026-12", "company", "co", "members"): 1200.0,
               ("2026-12", "war_zone", "z2", "stations"): 2.5, ("2026-12", "center", "c1", "members"): 7.0}
    text = targets_csv(targets, {n["id"]: i for i, n in enumerate(nodes)})
    # company first, then zones in the org's order (z2 before z1), whole numbers without ".0"
    assert text.splitlines() == ["month,level,node_id,metric,target", "2026-12,company,co,members,1200",
                                 "2026-12,war_zone,z2,stations,2.5", "2026-12,war_zone,z1,stations,3",
                                 "2026-12,center,c1,members,7"]
    problems = Problems()
    assert parse_targets(text, "targets.csv", Org(nodes=nodes), problems) == targets
    assert problems.items == []


# ---- check-ins with a confidence, and key actions edited in the app ---------------------------------------------

def test_a_checkin_carries_a_confidence_and_its_history_is_kept(store):
    store.add_checkin("kr-2", dt.date(2026, 11, 10), 1, who="郑丽", confidence="on_track", comment="首场")
    store.add_checkin("kr-2", dt.date(2026, 11, 17), 1, who="郑丽", confidence="at_risk", comment="场地难订")
    store.add_checkin("kr-2", dt.date(2026, 11, 17), 2, who="孙浩", confidence="on_track", comment="更正")
    store.add_checkin("kr-1", dt.date(2026, 11, 17), None, who="孙浩", confidence="off_track")   # an automatic KR
    latest = [(r["key_result_id"], r["on_date"], r["value"], r["confidence"], r["who"]) for r in store.checkins()]
    assert latest == [("kr-1", "2026-11-17", None, "off_track", "孙浩"), ("kr-2", "2026-11-10", 1, "on_track", "郑丽"),
                      ("kr-2", "2026-11-17", 2, "on_track", "孙浩")]
    history = store.checkin_history("kr-2")          # newest first, the corrected one kept
    assert [(h["on_date"], h["value"], h["confidence"], h["comment"], h["who"]) for h in history] == [
        ("2026-11-17", 2, "on_track", "更正", "孙浩"), ("2026-11-17", 1, "at_risk", "场地难订", "郑丽"),
        ("2026-11-10", 1, "on_track", "首场", "郑丽")]


@pytest.mark.parametrize("kwargs, words", [
    ({"value": -1}, "not a number ≥ 0"),
    ({"value": float("nan")}, "not a number ≥ 0"),
    ({"confidence": "great"}, "confidence 'great' is not one of: on_track, at_risk, off_track"),
    ({"who": " "}, "say who makes the check-in"),
    ({"value": None, "confidence": None, "comment": ""}, "needs a value, a confidence or a comment"),
])
def test_a_bad_checkin_is_refused_and_writes_nothing(store, kwargs, words):
    args = {"key_result_id": "kr-2", "on_date": dt.date(2026, 11, 10), "value": 1, "who": "郑丽",
            "confidence": "on_track", **kwargs}
    with pytest.raises(NorthstarError) as info:
        store.add_checkin(**args)
    assert words in str(info.value)
    assert store.checkins() == [] and store.history() == []


def test_a_store_from_before_confidence_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.plan.sqlite"
    con = sqlite3.connect(path)
    con.executescript("""
        create table changes (id integer primary key autoincrement, at text not null, who text not null,
                              source text not null, note text not null default '');
        create table checkin_log (change_id integer not null, key_result_id text not null, on_date text not null,
                                  value real, comment text not null default '');
        insert into changes values (1, '2026-11-01T00:00:00+00:00', '郑丽', 'app', '');
        insert into checkin_log values (1, 'kr-2', '2026-11-01', 1, '老记录');""")
    con.commit()
    con.close()
    with PlanStore(path, read_only=True) as store:         # a reader (the dashboard) does not change the file
        assert [(r["value"], r["comment"], r["confidence"]) for r in store.checkins()] == [(1, "老记录", None)]
        assert [h["confidence"] for h in store.checkin_history("kr-2")] == [None]
    with PlanStore(path) as store:
        assert [(r["value"], r["comment"], r["confidence"]) for r in store.checkins()] == [(1, "老记录", None)]
        store.add_checkin("kr-2", dt.date(2026, 11, 8), 2, who="郑丽", confidence="at_risk")
        assert [r["confidence"] for r in store.checkins()] == [None, "at_risk"]


def test_a_key_action_added_edited_and_removed_in_the_app(store, config):
    from pipelines.plan.goals import check_key_action

    store.import_config(config)
    org = load_plan(config).org
    form = {"id": "ka-9", "center": "community", "title": "社群沙龙", "months": ["2026-12"], "supports": ["members"],
            "war_zones": ["east"], "key_results": [
                {"id": "kr-9a", "title": "沙龙场次", "unit": "场", "target": 4},
                {"id": "kr-9b", "title": "新会员", "metric": "new_members", "filters": {"center": "community"},
                 "target": 30}]}
    store.set_key_action(check_key_action(form, org), who="郑丽")
    plan = store.current()
    assert [ka["id"] for ka in plan.key_actions] == ["ka-1", "ka-9"]          # a new action goes last
    added = plan.key_actions[1]
    assert [kr["id"] for kr in added["key_results"]] == ["kr-9a", "kr-9b"]
    assert added["key_results"][1]["filters"] == {"center": "community"}
    # edit: one key result fewer, a new target; the action keeps its place
    form["key_results"] = [{**form["key_results"][0], "target": 6}]
    form["title"] = {"zh": "社群沙龙", "en": "Salons"}
    store.set_key_action(check_key_action(form, org), who="孙浩", note="改为6场")
    plan = store.current()
    assert [ka["id"] for ka in plan.key_actions] == ["ka-1", "ka-9"]
    assert plan.key_actions[1]["title"] == {"zh": "社群沙龙", "en": "Salons"}
    assert [(kr["id"], kr["target"]) for kr in plan.key_actions[1]["key_results"]] == [("kr-9a", 6)]
    assert store.history(limit=1)[0]["who"] == "孙浩" and store.history(limit=1)[0]["key_actions"] == 3  # 1 + 2 KRs
    store.remove_key_action("ka-9", who="孙浩")
    assert [ka["id"] for ka in store.current().key_actions] == ["ka-1"]
    with pytest.raises(NorthstarError, match="there is no key action 'ka-9'"):
        store.remove_key_action("ka-9", who="孙浩")


def test_stale_days_survive_the_store_and_the_export(store, config, tmp_path):
    (config / "goals.yaml").write_text((config / "goals.yaml").read_text(encoding="utf-8").replace(
        "at_risk: 0.8", "at_risk: 0.8\n  stale_days: 10"), encoding="utf-8")
    store.import_config(config)
    assert store.current().stale_days == 10
    export_plan(store.current(), tmp_path / "out")
    assert load_plan(tmp_path / "out").stale_days == 10


def test_the_store_has_a_numbered_schema_and_an_old_store_arrives_at_it(tmp_path):
    """Issue 34: the store's one ad-hoc migration (a check-in's confidence added when missing) is now step 1 of a
    numbered schema (sqlite's user_version). A store from before the numbering, whose check-ins had no confidence,
    is brought to the current schema on open and keeps its rows; a store written by a newer Northstar is refused
    with a sentence, not changed."""
    from pipelines.plan.store import SCHEMA_VERSION, PlanStoreBroken

    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.executescript("""
        create table changes (id integer primary key autoincrement, at text not null, who text not null,
                              source text not null, note text not null default '');
        create table checkin_log (change_id integer not null references changes(id), key_result_id text not null,
                                  on_date text not null, value real, comment text not null default '');
        insert into changes (at, who, source) values ('2026-11-01T01:00:00+00:00', '郑丽', 'app');
        insert into checkin_log values (1, 'kr-salons', '2026-11-01', 3, '开了三场');""")
    con.close()
    with PlanStore(old) as store:
        assert store.con.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION == 1
        assert [(c["key_result_id"], c["value"], c["confidence"], c["who"]) for c in store.checkins()] == [
            ("kr-salons", 3, None, "郑丽")]
        store.add_checkin("kr-salons", dt.date(2026, 11, 8), 5, "郑丽", confidence="on_track")
        assert [c["confidence"] for c in store.checkins()] == [None, "on_track"]
    newer = tmp_path / "newer.sqlite"
    con = sqlite3.connect(newer)
    con.execute("pragma user_version = 99")
    con.close()
    with pytest.raises(PlanStoreBroken, match="newer Northstar"):
        PlanStore(newer)
    assert sqlite3.connect(newer).execute("select count(*) from sqlite_master").fetchone()[0] == 0


def test_one_file_three_parts(tmp_path):
    """Issue 34: PlanStore was one 493-line class of 46 methods. The plan's log stays PlanStore's; accounts, sign-ins
    and sessions are `store.accounts`, the audit, briefs and pulls `store.runs` — over the one connection, so a
    change and its audit line still commit together."""
    from pipelines.plan.accounts import Accounts
    from pipelines.plan.runlog import RunLog

    with PlanStore(tmp_path / "p.sqlite") as store:
        assert isinstance(store.accounts, Accounts) and isinstance(store.runs, RunLog)
        assert store.accounts.con is store.con is store.runs.con
        store.accounts.set_password("lead-east", "argon2-hash", by="admin", reset=False)
        assert store.accounts.ids() == ["lead-east"]
        assert [(r["who"], r["action"], r["what"]) for r in store.runs.audit_log()] == [
            ("admin", "account", "add lead-east")]
    for name in ("set_password", "claim_sign_in", "session_live", "audit", "log_brief", "watermark"):
        assert not hasattr(PlanStore, name), name
