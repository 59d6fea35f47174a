"""The sign-in gate under AppTest (ui/auth.py): open mode says so on every page, the password form refuses and
locks, a session ends after session_hours or when its person leaves access.yaml, and nothing of the data is drawn
before sign-in. The browser side is tests/test_browser_auth.py; the rights are tests/test_roles.py."""
from __future__ import annotations

import datetime as dt

import pytest

from pipelines.plan.access import PAGES, Session
from pipelines.plan.store import PlanStore, store_path
from tests.conftest import ROOT, copy_warehouse, signed_warehouse

PASSWORD = "correct horse battery"
ACCESS = """\
auth: password
session_hours: 12
max_failures: 3
lockout_minutes: 10
users:
  - {id: boss, name: 管理员甲, role: admin}
  - {id: ceo, name: 领导乙, role: leader}
"""


@pytest.fixture(scope="module")
def password_db(tiny, tmp_path_factory):
    return signed_warehouse(tiny, tmp_path_factory.mktemp("auth"), ACCESS, {"ceo": PASSWORD})


def app(db, monkeypatch, session: Session | None = None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    if session is not None:
        at.session_state["ns_session"] = session
    return at.run()


def drawn(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.info]
                     + [e.value for e in at.error])


def submit(at, uid: str, password: str):
    at.text_input(key="auth_id").set_value(uid)
    at.text_input(key="auth_password").set_value(password)
    return at.button[0].click().run()


def test_open_mode_says_so_on_every_page(tiny, monkeypatch, fresh_cache):
    at = app(tiny / "wh.duckdb", monkeypatch)
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception
        captions = [c.value for c in at.sidebar.caption]
        assert captions[0].startswith("开放模式：无需登录"), (page, captions)


def test_nothing_of_the_data_before_sign_in(password_db, monkeypatch, fresh_cache):
    at = app(password_db, monkeypatch)
    assert [t.value for t in at.title] == ["Northstar · 北极星"]
    assert [i.label for i in at.text_input] == ["账号", "密码"]
    text = drawn(at)
    assert "ns-done" not in text and "华东战区" not in text and not at.dataframe and not at.get("plotly_chart")
    assert "没有账号或忘了密码，请联系 管理员甲 (boss)。" in text.replace("\\", "")


def test_wrong_passwords_count_down_then_lock(password_db, monkeypatch, fresh_cache, tmp_path):
    db = copy_warehouse(password_db, tmp_path)
    at = app(db, monkeypatch)
    for left in (2, 1):
        submit(at, "ceo", "not the password")
        assert [e.value for e in at.error] == [f"账号或密码不对。再错 {left} 次，这个账号将暂时锁定。"]
        assert "auth_password" not in at.session_state      # the typed password is not kept in the session
    submit(at, "ceo", "not the password")
    assert "输错次数太多，这个账号已暂时锁定" in at.error[0].value
    submit(at, "ceo", PASSWORD)         # the right password does not open a locked id
    assert "已暂时锁定" in at.error[0].value and "ns_session" not in at.session_state
    assert "ns-done" not in drawn(at)


def test_the_right_password_signs_in(password_db, monkeypatch, fresh_cache, tmp_path):
    db = copy_warehouse(password_db, tmp_path)
    at = submit(app(db, monkeypatch), " CEO ", PASSWORD)
    assert not at.exception and "ns-done" in drawn(at)
    assert at.sidebar.caption[0].value.replace("\\", "") == "已登录：领导乙（ceo）· 领导"
    assert at.session_state["ns_session"].user_id == "ceo"


def test_a_session_ends_after_session_hours(password_db, monkeypatch, fresh_cache):
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=12, minutes=1)
    at = app(password_db, monkeypatch, Session("ceo", "password", old))
    assert "登录已超过 12 小时，请重新登录。" in drawn(at)
    assert [i.label for i in at.text_input] == ["账号", "密码"] and "ns-done" not in drawn(at)
    fresh = app(password_db, monkeypatch, Session("ceo", "password", old + dt.timedelta(minutes=2)))
    assert "ns-done" in drawn(fresh)


def test_a_person_taken_out_of_access_yaml_is_signed_out(password_db, monkeypatch, fresh_cache):
    at = app(password_db, monkeypatch, Session("someone-removed", "password", dt.datetime.now(dt.timezone.utc)))
    assert "你的账号已不在 access.yaml 中，请联系管理员。" in drawn(at) and "ns-done" not in drawn(at)


def test_sign_ins_and_the_audit_leave_the_plans_version_alone(password_db, tmp_path):
    """The pages' caches are keyed on the plan's version (ui.data.plan_version): a sign-in, a stored session or an
    audit line must not make every reader recompute the goal tree; a change of the plan must."""
    from ui.data import plan_version

    db = copy_warehouse(password_db, tmp_path)
    store = store_path(db)
    before = plan_version(store)
    assert before[1] > 0
    with PlanStore(store) as s:
        s.accounts.record_sign_in("ceo", True, "password")
        s.runs.audit("ceo", "export", "goal-tree.xlsx", 12)
        now = dt.datetime.now(dt.timezone.utc)
        s.accounts.open_session("t" * 43, "ceo", now, now + dt.timedelta(hours=1))
    assert plan_version(store) == before
    with PlanStore(store) as s:
        s.set_target("2026-11", "company", "company", "members", 99, who="领导乙 (ceo)")
    assert plan_version(store) == (before[0], before[1] + 1)
    assert plan_version(tmp_path / "none.plan.sqlite") == (0, 0)
