"""The Plan page's draft of a month, kept in the session: what the planner has typed, what the store held when the
draft began (its base), and the version that restarts the editors. No widgets: `state` is `st.session_state` on the
page and a plain dict in tests/test_plan_draft.py.

- `start` begins a month's draft from some targets (saved ones, last month's, none); a save writes only the cells
  that differ from the base (pipelines.okr.decompose.rebase).
- `absorb` takes the editors' pending edits into the draft's cells at the start of a run.
- `take_theirs` brings in what someone else saved since the draft began, for the cells this reader did not touch;
  `keep_theirs` / `keep_mine` settle the cells both changed (conflicts).
- `suggest` and `suggest_all` fill a split in proportion to the trailing actuals; `status` is the tally at the top.
"""
from __future__ import annotations

from pipelines.okr import decompose
from ui.views import plan_tables as up

Key = decompose.Key
BASE = "plan_base::"     # the frame an editor started from, per editor key


def drafts(state) -> dict:
    return state.setdefault("plan_drafts", {})


def bump(state) -> int:
    """A new version for the editors' keys: they start again from the draft (after a suggestion, copy, save)."""
    state["plan_v"] = state.get("plan_v", 0) + 1
    for key in [k for k in state if str(k).startswith(BASE)]:
        del state[key]
    return state["plan_v"]


def start(state, nodes: list[dict], month: str, targets: dict, base: dict) -> dict:
    """A new draft of `month` showing `targets`; `base` is what the store holds as it starts."""
    draft = {"cells": up.draft_cells(nodes, targets), "v": bump(state), "base": dict(base)}
    drafts(state)[month] = draft
    return draft


def absorb(state, month: str, draft: dict, by_id: dict[str, dict]) -> None:
    """The edits typed into this month's editors since the last run, into the draft's cells."""
    for wkey in [k for k in state if str(k).startswith(f"plan_ed_{month}_")]:
        if wkey.endswith(f"_{draft['v']}") and f"{BASE}{wkey}" in state:
            draft["cells"].update(up.pending_edits(state[f"{BASE}{wkey}"], state[wkey], by_id))


def take_theirs(state, draft: dict, saved: dict) -> int:
    """Someone else saved this month since the draft began: the cells this reader did not touch take their values
    (the count is said once); cells both changed are conflicts, left for the reader to settle."""
    base = draft.setdefault("base", dict(saved))
    theirs, _, _ = decompose.rebase(decompose.check(draft["cells"])[0], base, saved)
    for k, v in theirs.items():
        draft["cells"][k] = decompose.fmt_target(v)
        base[k] = v
    if theirs:
        draft["v"] = bump(state)
    return len(theirs)


def keep_theirs(state, draft: dict, conflicts: dict) -> None:
    for k, v in conflicts.items():
        draft["cells"][k] = decompose.fmt_target(v)
        draft["base"][k] = v
    draft["v"] = bump(state)


def keep_mine(draft: dict, conflicts: dict) -> None:
    """Seen: my values now replace theirs, knowingly (the base moves to theirs)."""
    for k, v in conflicts.items():
        draft["base"][k] = v


def suggest(state, draft: dict, parent: dict, kids: list[dict], metrics: tuple[str, ...], actuals: dict) -> None:
    """The parent's targets split over `kids` in proportion to their trailing actuals, into the draft."""
    values, _ = decompose.check(draft["cells"])
    for m in metrics:
        target = values.get((parent["level"], parent["id"], m))
        if target is not None:
            for kid_id, part in decompose.suggest(target, kids, actuals, m).items():
                draft["cells"][(kids[0]["level"], kid_id, m)] = str(part)
    draft["v"] = bump(state)


def split_all(state, draft: dict, suggested: dict, effects: dict, company_keys: set) -> list[Key]:
    """The whole tree split from the company's targets (pipelines.okr.decompose.suggest_all) into the draft; returns the
    cells that became 0 (a 0 reads as "no target", so the page says so)."""
    cells = draft["cells"]
    for k in effects["overwrites"] + [k for k in suggested if k in cells and k not in company_keys]:
        if suggested.get(k) is not None:
            cells[k] = decompose.fmt_target(suggested[k])
    draft["v"] = bump(state)
    return effects["zeros"]


def status(conflicts: dict, changes: dict, not_adding: list, problems: dict) -> list[tuple[str, str, str, str, int]]:
    """The tally above the editors: (status class, data key, icon, label key, count) per chip."""
    parts = []
    if conflicts:
        parts.append(("off_track", "plan.conflicts", "✖", "plan_status_conflicts", len(conflicts)))
    if changes:
        parts.append(("at_risk", "plan.changes", "▲", "plan_status_changes", len(changes)))
    elif not conflicts:
        parts.append(("on_track", "plan.changes", "✔", "plan_status_clean", 0))
    if not_adding:
        parts.append(("at_risk", "plan.unallocated", "▲", "plan_status_unallocated", len(not_adding)))
    if problems:
        parts.append(("off_track", "plan.refused", "✖", "plan_status_refused", len(problems)))
    return parts
