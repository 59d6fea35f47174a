"""Issue 18.7: two people on the Plan page. A save writes only what this reader changed; a cell someone else changed
since it was opened is a conflict shown to the reader, not overwritten; a saved change can be undone (a new change
restoring the old values), refused when later work would be lost."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.okr import decompose
from pipelines.plan.store import PlanStore, TargetConflict, store_path
from tests.conftest import seen
from tests.test_plan_page import COL, edit, editor_key, plan_page

pytestmark = pytest.mark.usefixtures("fresh_cache")

ST = ("war_zone", "east", "stations")
ME = ("war_zone", "east", "members")


def log(db, key, month="2026-11"):
    with PlanStore(store_path(db), read_only=True) as store:
        return [(h["target"], h["who"]) for h in store.target_history(month, *key)]


def test_the_store_writes_what_was_changed_and_refuses_a_crossed_cell(tmp_path):
    """The attack: A saves stations 777; B, who opened before and edited only members, used to save (None, B) over
    A's 777. With what each had opened as `expected`, B's members save leaves 777; B's stations edit conflicts."""
    with PlanStore(tmp_path / "p.sqlite") as store:
        opened = {ST: None, ME: None}
        store.set_targets("2026-11", {ST: 777}, "A", expected={ST: opened[ST]})
        store.set_targets("2026-11", {ME: 500}, "B", expected={ME: opened[ME]})
        assert store.targets()[("2026-11", *ST)] == 777 and store.targets()[("2026-11", *ME)] == 500
        with pytest.raises(TargetConflict) as err:
            store.set_targets("2026-11", {ST: 900, ME: 600}, "B", expected={ST: None, ME: 500})
        [c] = err.value.conflicts
        assert (c["key"], c["opened"], c["target"], c["who"], c["mine"]) == (ST, None, 777, "A", 900)
        assert store.targets()[("2026-11", *ME)] == 500            # nothing of the refused save was written
        assert "Nothing was saved" in str(err.value)
        assert [h["who"] for h in store.history()] == ["B", "A"]


def test_rebase_splits_a_draft_three_ways():
    a, b, c, d, e = (("war_zone", z, "stations") for z in "abcde")
    values = {a: 10, b: 20, c: 35, d: None, e: 50}      # the draft
    base = {a: 10, b: 5, c: 30, d: 8, e: 40}             # when opened
    current = {a: 11, b: 5, c: 31, d: 8, e: 50}          # the store now
    theirs, conflicts, mine = decompose.rebase(values, base, current)
    assert theirs == {a: 11}                 # untouched here, changed there: take theirs
    assert conflicts == {c: 31}              # both changed, differently
    assert mine == {b: 20, d: None}          # mine to save; e is already what I want


KEYS = [("war_zone", z, "stations") for z in "abcd"]
value = st.one_of(st.none(), st.integers(0, 3))


@given(st.fixed_dictionaries({k: value for k in KEYS}), st.fixed_dictionaries({k: value for k in KEYS}),
       st.fixed_dictionaries({k: value for k in KEYS}))
def test_saving_mine_never_undoes_someone_elses_cell(values, base, current):
    """Whatever the three states, writing `mine` onto the store changes only cells this reader changed, never one
    whose current value differs from what the reader opened (those are conflicts), and after taking theirs and
    saving mine the store holds the draft in every cell that is not a conflict."""
    base = {k: v for k, v in base.items() if v is not None}
    current = {k: v for k, v in current.items() if v is not None}
    theirs, conflicts, mine = decompose.rebase(values, base, current)
    for k in mine:
        assert decompose.same(current.get(k), base.get(k))           # nobody else touched it
    assert not set(mine) & set(conflicts) and not set(theirs) & set(mine)
    after = {**current, **{k: v for k, v in mine.items()}}
    for k in KEYS:
        if k in conflicts:
            assert decompose.same(after.get(k), current.get(k))       # theirs stays until the reader decides
        elif k in theirs:
            assert decompose.same(after.get(k), current.get(k))
        else:
            assert decompose.same(after.get(k), values[k])


def test_undo_puts_back_the_values_from_before_and_refuses_over_later_work(tmp_path):
    with PlanStore(tmp_path / "p.sqlite") as store:
        first = store.set_targets("2026-11", {ST: 5, ME: 50}, "A")
        second = store.set_targets("2026-11", {ST: 7, ME: None}, "B")
        assert [(r["node_id"], r["metric"], r["before"], r["after"]) for r in store.change_targets(second)] == [
            ("east", "members", 50, None), ("east", "stations", 5, 7)]
        undo = store.undo(second, "C")
        assert store.targets()[("2026-11", *ST)] == 5 and store.targets()[("2026-11", *ME)] == 50
        assert store.history()[0]["note"] == f"undo #{second}" and store.history()[0]["who"] == "C"
        # undoing the first change now would overwrite the undo's (later) values: refused, nothing written
        with pytest.raises(TargetConflict) as err:
            store.undo(first, "C")
        assert err.value.undo == first and {c["change"] for c in err.value.conflicts} == {undo}
        assert store.targets()[("2026-11", *ST)] == 5
        undo2 = store.undo(undo, "C")              # an undo is a change like any other: undo it back
        assert store.targets()[("2026-11", *ST)] == 7 and ("2026-11", *ME) not in store.targets()
        assert undo2 == undo + 1


def two_readers(db, monkeypatch, lang="zh"):
    a = plan_page(db, monkeypatch, lang, month="2026-11")
    b = plan_page(db, monkeypatch, lang, month="2026-11")
    return a, b


def save(at, who):
    at.text_input(key="plan_who").set_value(who).run()
    at.button(key="plan_save").click().run()
    assert not at.exception, at.exception


def test_a_colleagues_save_is_kept_when_i_save_other_cells(writable, monkeypatch):
    a, b = two_readers(writable, monkeypatch)
    edit(a, editor_key(a, "2026-11", "zones", "company", "zh"), {0: {COL["zh"]["stations"]: "777"}})
    save(a, "A")
    edit(b, editor_key(b, "2026-11", "zones", "company", "zh"), {0: {COL["zh"]["members"]: "500"}})
    assert [seen(i.value) for i in b.info] == [
        "你打开本月之后，有人保存了 1 项你没有改动的目标：已显示为最新保存的值。"
    ]
    save(b, "B")
    assert log(writable, ST)[-1] == (777, "A")                    # A's 777 stands
    assert log(writable, ME)[-1] == (500, "B")
    assert not [h for h in log(writable, ST) if h[1] == "B"]       # B wrote nothing to stations


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_same_cell_changed_by_two_is_a_conflict_the_reader_settles(writable, monkeypatch, lang):
    a, b = two_readers(writable, monkeypatch, lang)
    edit(a, editor_key(a, "2026-11", "zones", "company", lang), {0: {COL[lang]["stations"]: "777"}})
    save(a, "A")
    edit(b, editor_key(b, "2026-11", "zones", "company", lang), {0: {COL[lang]["stations"]: "9"}})
    warning = [seen(w.value) for w in b.warning]
    assert warning == [
        "1 项目标你改了，别人在你打开之后也改了（见下表）。请选择保留谁的值；在此之前不会保存。"
        if lang == "zh"
        else "1 targets you changed were also changed by someone else since you opened them (below). "
        "Choose whose values to keep; nothing is saved until then."
    ]
    frame = next(f.value for f in b.dataframe if ("你的值" if lang == "zh" else "Yours") in f.value.columns)
    row = frame.iloc[0].tolist()
    assert row[2:6] == ["6", "777", "9", "A"]         # opened 6, theirs 777, mine 9, saved by A
    b.text_input(key="plan_who").set_value("B").run()
    assert b.button(key="plan_save").disabled                  # not until the conflict is settled
    b.button(key="plan_conflict_mine").click().run()           # knowingly: mine over theirs
    assert not b.warning
    b.button(key="plan_save").click().run()
    assert log(writable, ST)[-2:] == [(777, "A"), (9, "B")]


def test_keeping_theirs_drops_my_edit_of_that_cell(writable, monkeypatch):
    a, b = two_readers(writable, monkeypatch)
    edit(a, editor_key(a, "2026-11", "zones", "company", "zh"), {0: {COL["zh"]["stations"]: "777"}})
    save(a, "A")
    edit(b, editor_key(b, "2026-11", "zones", "company", "zh"), {0: {COL["zh"]["stations"]: "9"}})
    b.button(key="plan_conflict_theirs").click().run()
    assert not b.warning and 'data-k="plan.changes">✔' in "".join(m.value for m in b.markdown)
    assert log(writable, ST)[-1] == (777, "A")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_undo_from_the_history(writable, monkeypatch, lang):
    at = plan_page(writable, monkeypatch, lang, month="2026-11")
    edit(at, editor_key(at, "2026-11", "zones", "company", lang), {0: {COL[lang]["stations"]: "7"}})
    save(at, "王经理")
    with PlanStore(store_path(writable), read_only=True) as store:
        change = store.history()[0]["id"]
    assert at.selectbox(key=f"plan_undo_pick_{lang}_{change}").value == change     # the newest change first
    frame = next(f.value for f in at.dataframe if ("撤销后" if lang == "zh" else "After the undo") in f.value.columns)
    assert frame.iloc[0].tolist()[-2:] == ["7", "6"]
    at.button(key="plan_undo_button").click().run()
    assert not at.exception
    assert log(writable, ST)[-1] == (6, "王经理")
    assert [seen(s.value) for s in at.success] == [f"已撤销 #{change}（新变更 #{change + 1}，王经理）。" if lang == "zh"
                                                   else f"Undid #{change} (new change #{change + 1}, 王经理)."]


def test_undo_from_the_history_of_a_month_without_a_draft(writable, monkeypatch):
    """The history is a fragment with its own 'who' field when nothing above drew one (a month with no plan yet):
    the field is there, and an undo made from it is saved under that name."""
    at = plan_page(writable, monkeypatch, "zh", month="2026-12")
    with PlanStore(store_path(writable), read_only=True) as store:
        before = store.history()
        change = next(c["id"] for c in before if c["targets"])
    assert [w.key for w in at.text_input if w.key == "plan_who"] == ["plan_who"]     # drawn once, in the history
    at.text_input(key="plan_who").set_value("周敏").run()
    at.selectbox(key=f"plan_undo_pick_zh_{before[0]['id']}").set_value(change).run()
    at.button(key="plan_undo_button").click().run()
    assert not at.exception
    with PlanStore(store_path(writable), read_only=True) as store:
        after = store.history()
    assert (after[0]["who"], after[0]["note"]) == ("周敏", f"undo #{change}")
