"""The role matrix: for every person of an access.yaml with one user per role and every page, what the page must
and must not show, generated from the policy (pipelines.plan.access), so a new page or role is covered by default:

- the navigation lists exactly the pages the role may read, and the others cannot be opened;
- no name of a person (nor, for a zone lead or a center lead, of a station) outside the reader's scope;
- no unmasked phone number without `pii: true` (and, with it, the unmasked number on the drill-down);
- no write control without the right: the Plan page's save and import, the Centers page's check-in and key-action
  forms, the Data page's upload and audit.

AppTest runs the real dashboard.py twice over: with `auth: password`, each reader's session signed in the way the
sign-in form leaves it (a `Session` in the session state), and with `auth: oidc`, the reader given to `st.user` as
an identity provider's claims (`AppTest.user`); the matrix tests the rights, test_auth.py and
test_browser_auth.py the sign-in itself.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import duckdb
import pytest
import yaml

from pipelines.plan.access import PAGES, ROLES, AccessDenied, Session, User, check_targets, load_access
from pipelines.plan.org import load_org
from pipelines.plan.store import PlanStore, store_path
from tests.conftest import ROOT, copy_warehouse, signed_warehouse

ACCESS = """\
auth: password
users:
  - {id: boss, name: 管理员甲, role: admin, pii: true}
  - {id: ceo, name: 领导乙, role: leader}
  - {id: hq, name: 计划丙, role: planner}
  - {id: lead-north, name: 北区丁, role: zone_lead, war_zone: north}
  - {id: p103, name: 社群戊, role: center_lead, center: community}
  - {id: ana, name: 分析己, role: analyst}
"""
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
MASKED = re.compile(r"(?<!\d)1[3-9]\d\*{4}\d{4}(?!\d)")


def _signed(tiny, root, auth: str):
    db = signed_warehouse(tiny, root, ACCESS.replace("auth: password", f"auth: {auth}"))
    config = root / "config"
    with duckdb.connect(str(db), read_only=True) as con:
        stations = con.execute("select name, war_zone from stations").fetchall()
    return db, load_access(config, load_org(config)), yaml.safe_load((config / "org.yaml").read_text("utf-8")), stations


@pytest.fixture(scope="module")
def signed(tiny, tmp_path_factory):
    """A copy of the tiny sample's warehouse and plan store with ACCESS (password) imported; returns (db, access,
    org, stations)."""
    return _signed(tiny, tmp_path_factory.mktemp("roles"), "password")


@pytest.fixture(scope="module")
def signed_oidc(tiny, tmp_path_factory):
    """The same with `auth: oidc`."""
    return _signed(tiny, tmp_path_factory.mktemp("roles_oidc"), "oidc")


def open_as(db, monkeypatch, user: User, mode: str = "password"):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    now = dt.datetime.now(dt.timezone.utc)
    if mode == "oidc":     # what Streamlit's st.login leaves in st.user: the provider's claims
        at.user = {"is_logged_in": True, "email": user.id, "email_verified": True, "name": user.name,
                   "iss": "http://127.0.0.1:9/idp", "sub": f"sub-{user.id}", "iat": int(now.timestamp())}
    else:
        at.session_state["ns_session"] = Session(user.id, "password", now)
    at.run()
    return at


def page_text(at) -> str:
    """Everything a person can read on the page: text elements, tables, choices, chart data."""
    parts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success",
                 "text", "code", "metric"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [e.value.to_csv() for e in at.dataframe]
    for kind in ("selectbox", "multiselect", "radio"):
        parts += [json.dumps([str(o) for o in e.options], ensure_ascii=False) for e in getattr(at, kind)]
    parts += [e.value for e in at.text_input if e.value]
    parts += [e.proto.spec for e in at.get("plotly_chart")]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def labels(at, kind: str) -> list[str]:
    return [e.label for e in getattr(at, kind)]


def forbidden_names(user: User, org: dict, stations: list[tuple]) -> set[str]:
    """Names the reader must not meet: people of zones whose detail they may not see (and those zones' stations,
    for the roles that read neither stations nor members)."""
    visible = {c["name"]["zh"] for c in org["centers"]} | {
        p["name"] for c in org["centers"] for p in c.get("people", [])
    }
    hidden = set()
    for zone in org["war_zones"]:
        names = {p["name"] for team in zone["teams"] for p in team["people"]}
        (visible if user.sees_zone_detail(zone["id"]) else hidden).update(names)
    if user.role in ("zone_lead", "center_lead"):
        hidden |= {name for name, zone in stations if not user.sees_zone_detail(zone)}
    return hidden - visible


CASES = [(uid, page) for uid in ("boss", "ceo", "hq", "lead-north", "p103", "ana") for page in PAGES]


def test_the_matrix_covers_every_role_of_the_policy(signed):
    """A role added to pipelines.plan.access fails here until the matrix has a person of it."""
    access = signed[1]
    assert sorted(u.role for u in access.users) == sorted(ROLES)
    assert {uid for uid, _ in CASES} == {u.id for u in access.users}


@pytest.mark.parametrize("mode", ["password", "oidc"])
@pytest.mark.parametrize("uid,page", CASES)
def test_role_matrix(request, monkeypatch, fresh_cache, uid, page, mode):
    db, access, org, stations = request.getfixturevalue("signed" if mode == "password" else "signed_oidc")
    user = access.user(uid)
    at = open_as(db, monkeypatch, user, mode)
    assert not at.exception
    if not user.can_read(page):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")
        return
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    if page == "cohorts":            # open the members behind a cell: the surface that carries phones
        at.toggle(key="drill_show_zh").set_value(True).run()
        assert not at.exception
    text = page_text(at)
    assert 'class="ns-done"' in text, f"{page} did not run to its end for {uid}"
    caption = [c.value for c in at.sidebar.caption][0]
    assert re.sub(r"\\(.)", r"\1", caption).startswith(f"已登录：{user.name}（{user.id}）")

    leaked = sorted(n for n in forbidden_names(user, org, stations) if n in text)
    assert not leaked, f"{uid} on {page} sees names outside their scope: {leaked[:5]}"
    phones = PHONE.findall(text)
    if user.pii and page == "cohorts":
        assert phones, "a reader with pii: true sees the numbers on the drill-down"
    elif not user.pii:
        assert not phones, f"{uid} on {page} sees unmasked phones: {phones[:3]}"
        if page == "cohorts":
            assert MASKED.search(text)

    if page == "board":          # a card links to a page behind it only when the reader may open that page
        for target in ("war_zone", "centers"):
            assert bool(re.search(rf'href="{target}[?"]', text)) == user.can_read(target), (uid, target)
    buttons = labels(at, "button")
    if page == "plan":
        if not user.writes_plan:
            assert not [b for b in buttons if "保存" in b or "撤销" in b or "开始" in b], buttons
            assert not at.get("file_uploader") and not at.get("arrow_data_frame_editor")
            assert "只读" in text
    if page == "centers":
        assert ("保存进展" in " ".join(buttons)) == any(user.can_check_in(c["id"]) for c in org["centers"]), buttons
        assert ("保存关键要务" in " ".join(buttons)) == any(user.can_edit_center(c["id"]) for c in org["centers"])
    if page == "data":
        assert bool(at.get("file_uploader")) == user.can_upload
        assert ("审计记录" in text) == user.can_audit
        # issue 36.14: the server's raw folder is an admin's business, not every reader's
        assert ("原始数据 " in " ".join(c.value for c in at.caption)) == user.can_upload


def test_a_zone_lead_opens_on_their_zone_and_sees_totals_only_elsewhere(signed, monkeypatch, fresh_cache):
    db, access, org, stations = signed
    at = open_as(db, monkeypatch, access.user("lead-north"))
    at.switch_page("pages/war_zone.py").run()
    assert at.selectbox(key=[k for k in at.session_state if str(k).startswith("zone_zh_")][0]).value == "north"
    assert not at.exception
    north_people = {p["name"] for z in org["war_zones"] if z["id"] == "north" for t in z["teams"] for p in t["people"]}
    assert any(n in page_text(at) for n in north_people)
    assert "北区丁" not in [e.value for e in at.markdown if "ns-note" in e.value]
    zone_key = [k for k in at.session_state if str(k).startswith("zone_zh_")][0]
    at.selectbox(key=zone_key).set_value("east").run()
    text = page_text(at)
    assert "你的权限只包括华北战区的团队、人员和驿站；华东战区在这里只显示合计。" in text
    east_stations = {name for name, zone in stations if zone == "east"}
    assert not any(n in text for n in east_stations)


def test_a_center_lead_sees_and_checks_in_for_their_own_center_only(signed, monkeypatch, fresh_cache):
    db, access, org, stations = signed
    at = open_as(db, monkeypatch, access.user("p103"))
    at.switch_page("pages/centers.py").run()
    assert not at.exception
    krs = at.selectbox(key="checkin_kr_zh").options
    assert krs and all(o.startswith("社群中心") for o in krs)
    text = page_text(at)
    assert "修改人：社群戊 (p103)（已登录）" in text
    assert not [e for e in at.text_input if e.label == "记录人"]     # no free-text "who"
    # only their center's section: another center's would say "no key actions", which is not true
    sections = re.findall(r'<div class="ns-section">([^<]+)', text)
    assert "社群中心" in sections and not {"内容中心", "互联网中心", "平台中心"} & set(sections)
    assert "本月没有关键要务" not in text
    at.switch_page("pages/board.py").run()
    board = page_text(at)
    assert board.count("关键要务由该中台负责人和总部查看。") == 3


def test_the_plan_store_records_the_signed_in_person(signed, monkeypatch, fresh_cache, tmp_path):
    db, access, org, stations = signed
    db = copy_warehouse(db, tmp_path)
    at = open_as(db, monkeypatch, access.user("p103"))
    at.switch_page("pages/centers.py").run()
    at.radio[[i for i, r in enumerate(at.radio) if r.label == "自评"][0]].set_value("on_track")
    manual = [e for e in at.text_input if e.label.startswith("当前完成值")]
    if manual:
        manual[0].set_value("3")
    [b for b in at.button if b.label == "保存进展"][0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with PlanStore(store_path(db), read_only=True) as store:
        assert store.history(1)[0]["who"] == "社群戊 (p103)"


def test_a_zone_lead_plans_the_split_inside_their_zone_only(signed, monkeypatch, fresh_cache, tmp_path):
    from tests.test_plan_page import edit, editor_key

    db, access, org, stations = signed
    db = copy_warehouse(db, tmp_path)
    at = open_as(db, monkeypatch, access.user("lead-north"))
    at.switch_page("pages/plan.py").run()
    at.selectbox(key="plan_month_zh").set_value("2026-11").run()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == ["战区 → 团队", "团队 → 人员"]
    assert "你可以修改本战区各团队和个人的目标" in page_text(at)
    edit(at, editor_key(at, "2026-11", "teams", "north"), {0: {"会员目标": "21"}})
    bait = "<img src=x onerror=alert(1)> **粗体**"
    at.text_input(key="plan_note").set_value(bait).run()
    at.button(key="plan_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    # the note and the signed-in name are text wherever they show: never raw HTML, never Markdown
    assert not [m.value for m in at.markdown if "<img src=x" in m.value]
    shown = [e.value for kind in ("success", "caption", "info") for e in getattr(at, kind)]
    assert not [v for v in shown if "<img src=x" in v and "\\<img" not in v]
    with PlanStore(store_path(db), read_only=True) as store:
        assert store.targets()[("2026-11", "team", "north-1", "members")] == 21
        assert store.history(1)[0]["who"] == "北区丁 (lead-north)"
    # a target outside the zone (a planner's) is refused below the page too
    from pipelines.okr.decompose import org_nodes

    with duckdb.connect(str(db), read_only=True) as con:
        by_id = {n["id"]: n for n in org_nodes(con)}
    with pytest.raises(AccessDenied, match="may not set these targets: team east-1"):
        check_targets(access.user("lead-north"), [("team", "east-1", "members")], by_id)
    with pytest.raises(AccessDenied, match="war_zone north"):
        check_targets(access.user("lead-north"), [("war_zone", "north", "members")], by_id)


@pytest.mark.parametrize("issued", [None, "old"])
def test_an_id_token_without_its_issue_time_or_too_old_opens_nothing(signed_oidc, monkeypatch, issued):
    """Issue 33.2: a session whose ID token has no `iat` used to skip the age check and stay open for ever; it is
    now treated as expired like one older than session_hours: nothing of the board is drawn."""
    from streamlit.testing.v1 import AppTest

    db, access, _, _ = signed_oidc
    user = next(u for u in access.users if u.role == "admin")
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    claims = {"is_logged_in": True, "email": user.id, "email_verified": True, "name": user.name,
              "iss": "http://127.0.0.1:9/idp", "sub": f"sub-{user.id}"}
    if issued == "old":
        claims["iat"] = int((dt.datetime.now(dt.timezone.utc) - access.session - dt.timedelta(minutes=1)).timestamp())
    at.user = claims
    at.run()
    assert not at.exception
    assert at.session_state["ns_auth_flash"] == "auth_expired"
    assert "ns_oidc" not in at.session_state                   # never checked, bound or let in
    assert not [m for m in at.markdown if "ns-zone" in str(m.value)]
