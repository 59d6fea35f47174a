"""Errors as codes with values (issue 34): every failure a person reads is a label's key and its values, worded
in the reader's language from the one label table; nothing is translated back from English by pattern (a reworded
English sentence used to leave the Chinese page in English)."""
import ast
import pickle
import string

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import LABELS, Words
from tests.conftest import ROOT

ERRORS = {"NorthstarError", "PlanStoreBroken", "ShrinkRefused", "DataTestFailed", "AccessDenied"}
SOURCES = [
    p
    for p in [*(ROOT / "pipelines").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py")]
    if "labels" not in p.parts
]


def branches(node) -> list[str]:
    """The codes an argument can be: a literal, or each branch of `a if … else b` (not its condition)."""
    if isinstance(node, ast.IfExp):
        return branches(node.body) + branches(node.orelse)
    return [node.value] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []


def placeholders(label: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(label) if name}


def _raised(node) -> ast.expr | None:
    """The code argument of `NorthstarError(code, …)` and its kin."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS and node.args:
        return node.args[0]
    return None


def _added(node) -> ast.expr | None:
    """The code argument of a plan file's problem, `p.add(path, line, where, code, **values)`
    (pipelines/plan/yamlcheck.py)."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add"
            and len(node.args) == 4):
        return node.args[3]
    return None


def coded(sources, code_of=_raised) -> tuple[int, list[str]]:
    """How many calls `code_of` finds in `sources`, and what is wrong with them: a sentence instead of a code, a code
    without a label, values that are not the ones its words ask for (a wrong value would raise while reporting)."""
    seen, wrong = 0, []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            first = code_of(node)
            if first is None:
                continue
            seen += 1
            at = f"{path.name}:{node.lineno}"
            names = {k.arg for k in node.keywords if k.arg} - {"keys"}       # (AccessDenied's refused targets)
            if any(k.arg is None for k in node.keywords) or isinstance(first, (ast.Attribute, ast.Name)):
                continue                     # a code passed on: NorthstarError(exc.code, **exc.values)
            codes = [] if isinstance(first, ast.JoinedStr) else branches(first)
            if not codes:
                wrong.append(f"{at}: a sentence, not a code")
            for code in codes:
                if code not in LABELS:
                    wrong.append(f"{at}: {code!r} has no label")
                elif placeholders(LABELS[code][1]) != names:
                    wrong.append(f"{at}: {code!r} asks for {sorted(placeholders(LABELS[code][1]))}, is given "
                                 f"{sorted(names)}")
    return seen, wrong


def test_every_problem_of_a_plan_file_is_a_code_with_its_values():
    seen, wrong = coded(SOURCES, _added)
    assert seen >= 90 and wrong == []


def test_every_error_is_a_code_with_the_values_its_words_ask_for():
    seen, wrong = coded(SOURCES)
    assert seen >= 120 and wrong == []


def test_the_check_finds_a_sentence_and_wrong_values(tmp_path):
    """The test above can fail: a sentence raised the way it used to be, and a code given a value it does not ask
    for (the sentence would then raise KeyError while saying what went wrong)."""
    bad = tmp_path / "bad.py"
    bad.write_text('def f(db):\n    raise NorthstarError(f"no warehouse at {db}")\n\n\n'
                   'def g(db):\n    raise NorthstarError("warehouse_missing", path=db)\n', encoding="utf-8")
    assert coded([bad]) == (2, ["bad.py:2: a sentence, not a code",
                                   "bad.py:6: 'warehouse_missing' asks for ['db'], is given ['path']"])
    plan = tmp_path / "plan.py"
    plan.write_text('def f(p, path, u):\n    p.add(path, 3, "users[0].role", f"{u!r}: expected one of a, b")\n'
                    '    p.add(path, 3, "users[0].id", "yaml_id_twice", value=u)\n', encoding="utf-8")
    assert coded([plan], _added) == (2, ["plan.py:2: a sentence, not a code",
                                         "plan.py:3: 'yaml_id_twice' asks for ['first', 'value'], is given ['value']"])


def test_an_error_says_itself_in_either_language_and_keeps_its_code_across_a_process():
    exc = NorthstarError("as_of_after_data", as_of="2026-12-01", last="2026-11-30")
    assert str(exc) == ("as-of 2026-12-01 is after the last date in the data (2026-11-30); pick a date on or before "
                        "2026-11-30, or build with newer data.")
    assert exc.words("zh") == ("截至日期 2026-12-01 晚于数据的最后日期（2026-11-30）；请选择 2026-11-30 "
                               "或更早的日期，或用更新的数据构建。")
    back = pickle.loads(pickle.dumps(exc))
    assert (type(back), back.code, back.values, str(back)) == (NorthstarError, exc.code, exc.values, str(exc))


def test_a_value_that_is_words_is_said_in_the_same_language():
    inner = [Words("shrink_rows", table="orders", before=8, now=1), Words("shrink_empty", table="members", before=3)]
    exc = NorthstarError("import_unchecked", problems=inner)
    assert str(exc).endswith("check again: orders would shrink from 8 to 1 rows; members would be empty (it has 3 "
                             "rows now)")
    assert exc.words("zh").endswith("请修正后重新检查：orders 会从 8 行减少到 1 行；members 会变成空表（现在有 3 行）")


def test_a_plan_files_problems_read_in_chinese_with_file_line_and_field(tmp_path):
    """The plan folder's checker (pipelines/plan/yamlcheck.py) words every problem from its code: the Chinese page
    gets the Chinese, with the same file, line, field and values as the English the command line prints."""
    import pytest

    from pipelines.plan.access import load_access
    from pipelines.plan.org import load_org
    from pipelines.plan.yamlcheck import PlanError
    from tests.conftest import ORG_YAML

    (tmp_path / "org.yaml").write_text(ORG_YAML, encoding="utf-8")
    (tmp_path / "access.yaml").write_text("auth: password\nusers:\n  - {id: ceo, name: 王总, role: admin}\n"
                                          "  - {id: CEO, name: 又一个, role: admin}\n"
                                          "  - {id: li, name: 李, role: boss}\n", encoding="utf-8")
    with pytest.raises(PlanError) as failed:
        load_access(tmp_path, load_org(tmp_path))
    path = tmp_path / "access.yaml"
    roles = "admin, leader, planner, zone_lead, center_lead, analyst"
    assert failed.value.problems == [
        f"{path}, line 4, users[1].id: 'CEO' is listed twice (first on line 3)",
        f"{path}, line 5, users[2].role: 'boss': expected one of {roles}"]
    assert [p("zh") for p in failed.value.problems] == [
        f"{path}，第 4 行，users[1].id：'CEO' 出现了两次（第一次在第 3 行）",
        f"{path}，第 5 行，users[2].role：'boss'：应为以下之一：{roles}"]
    assert failed.value.words("zh").startswith("计划有 2 个问题：\n  ")
