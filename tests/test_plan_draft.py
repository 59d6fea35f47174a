"""The Plan page's draft state (ui/sections/plan_draft.py) without a browser: the session is a plain dict. What the page
does with it in Streamlit is in test_plan_page.py and test_browser_plan.py."""
from ui.sections import plan_draft

NODES = [
    {"id": "co", "parent": None, "level": "company", "name_zh": "公司", "name_en": "Co"},
    {"id": "east", "parent": "co", "level": "war_zone", "name_zh": "华东", "name_en": "East"},
    {"id": "south", "parent": "co", "level": "war_zone", "name_zh": "华南", "name_en": "South"},
    {"id": "community", "parent": "co", "level": "center", "name_zh": "社群", "name_en": "Community"},
]
CO_S, EAST_S, SOUTH_S = (
    ("company", "co", "stations"),
    ("war_zone", "east", "stations"),
    ("war_zone", "south", "stations"),
)


def test_start_shows_the_targets_and_restarts_the_editors():
    state = {"plan_base::old_editor": "frame", "other": 1}
    draft = plan_draft.start(state, NODES, "2026-12", {CO_S: 10, EAST_S: 6}, base={CO_S: 10})
    assert draft["cells"][CO_S] == "10" and draft["cells"][EAST_S] == "6" and draft["cells"][SOUTH_S] == ""
    assert ("center", "community", "members") in draft["cells"] and ("center", "community", "stations") not in draft[
        "cells"
    ]
    assert draft["base"] == {CO_S: 10} and draft["v"] == 1
    assert "plan_base::old_editor" not in state and state["other"] == 1       # the editors start from the draft
    assert plan_draft.drafts(state)["2026-12"] is draft
    assert plan_draft.start(state, NODES, "2026-12", {}, base={})["v"] == 2


def test_take_theirs_only_where_this_reader_did_not_type():
    """Opened with east 6, south 3. I typed east 8; meanwhile a colleague saved east 7 and south 4: south takes 4
    (one cell, said once), east stays mine and is a conflict for the save."""
    state = {}
    draft = plan_draft.start(state, NODES, "2026-12", {EAST_S: 6, SOUTH_S: 3}, base={EAST_S: 6, SOUTH_S: 3})
    draft["cells"][EAST_S] = "8"
    assert plan_draft.take_theirs(state, draft, {EAST_S: 7, SOUTH_S: 4}) == 1
    assert (draft["cells"][EAST_S], draft["cells"][SOUTH_S]) == ("8", "4")
    assert draft["base"] == {EAST_S: 6, SOUTH_S: 4} and draft["v"] == 2
    assert plan_draft.take_theirs(state, draft, {EAST_S: 7, SOUTH_S: 4}) == 0 and draft["v"] == 2   # nothing new


def test_a_conflict_is_settled_either_way():
    state = {}
    draft = plan_draft.start(state, NODES, "2026-12", {EAST_S: 6}, base={EAST_S: 6})
    draft["cells"][EAST_S] = "8"
    plan_draft.keep_mine(draft, {EAST_S: 7})
    assert draft["cells"][EAST_S] == "8" and draft["base"][EAST_S] == 7      # mine, knowing theirs was 7
    plan_draft.keep_theirs(state, draft, {EAST_S: 9})
    assert draft["cells"][EAST_S] == "9" and draft["base"][EAST_S] == 9


def test_suggest_splits_by_trailing_actuals_in_whole_numbers():
    """Company 10 stations over east and south with trailing actuals 3 and 1: 7.5 / 2.5 → the largest remainder
    (a tie) goes to the larger weight: 8 and 2. Members have no company target: untouched."""
    state = {}
    draft = plan_draft.start(state, NODES, "2026-12", {CO_S: 10}, base={})
    plan_draft.suggest(state, draft, NODES[0], NODES[1:3], ("stations", "members"),
                       {"east": {"stations": 3}, "south": {"stations": 1}})
    assert (draft["cells"][EAST_S], draft["cells"][SOUTH_S]) == ("8", "2")
    assert draft["cells"][("war_zone", "east", "members")] == ""
    assert draft["v"] == 2


def test_the_tally_says_each_state_with_a_colour_and_a_word():
    assert plan_draft.status({}, {}, [], {}) == [("on_track", "plan.changes", "✔", "plan_status_clean", 0)]
    parts = plan_draft.status({EAST_S: 7}, {SOUTH_S: 4}, [{"id": "co"}], {CO_S: "not a number"})
    assert [(c, k, n) for c, k, _, _, n in parts] == [
        ("off_track", "plan.conflicts", 1), ("at_risk", "plan.changes", 1), ("at_risk", "plan.unallocated", 1),
        ("off_track", "plan.refused", 1)]
    assert (
        plan_draft.status({EAST_S: 7}, {}, [], {})[0][0] == "off_track"
        and len(plan_draft.status({EAST_S: 7}, {}, [], {})) == 1
    )


def test_a_long_list_of_names_says_how_many_more():
    """Issue 36.15: six names of nineteen zero targets read as the whole list."""
    from ui.views.plan_tables import some_names

    names = [f"人{i}" for i in range(1, 20)]
    assert some_names(names, "zh") == "人1、人2、人3、人4、人5、人6 等 19 项"
    assert some_names(names[:3], "en") == "人1, 人2, 人3"
    assert some_names(names, "en", most=2) == "人1, 人2 and others (19 in all)"
    assert some_names(names[:6], "zh") == "人1、人2、人3、人4、人5、人6"


def test_the_plan_history_says_who_and_what_in_the_readers_words():
    """Issue 36.10: the history read "config files" and "check-in kr-salons-held" on a Chinese page."""
    from ui.i18n import who_word
    from ui.views.plan_tables import note_words, recent_frame

    titles = {"kr-salons-held": "城市沙龙场次", "ka-1": "双11直播带货"}
    assert who_word("config files", "zh") == "配置文件导入" and who_word("config files", "en") == "config files"
    assert who_word("王芳", "zh") == "王芳" and who_word("", "zh") == "—"
    assert note_words("check-in kr-salons-held", "zh", titles) == "进展填报：城市沙龙场次"
    assert note_words("check-in kr-unknown", "en", titles) == "check-in: kr-unknown"      # no title: its id
    assert note_words("targets 2026-11: 12", "zh") == "2026-11 目标：12 项"
    assert note_words("undo #4", "zh") == "撤销 #4"
    assert note_words("remove key action ka-1", "zh", titles) == "删除关键动作：双11直播带货"
    assert note_words("data/config: goals.yaml, org.yaml", "zh") == "导入 data/config：goals.yaml, org.yaml"
    assert note_words("月中按新渠道调整", "zh") == "月中按新渠道调整"                  # a person's own note, as written
    frame = recent_frame([{"id": 7, "at": "2026-11-12T02:30:00+00:00", "who": "config files", "source": "import",
                           "note": "data/config: goals.yaml"}], "zh")
    assert frame.iloc[0].tolist() == ["#7", "2026-11-12 10:30 北京时间", "配置文件导入", "配置文件",
                                      "导入 data/config：goals.yaml"]
