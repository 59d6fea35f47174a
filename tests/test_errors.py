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


def placeholders(label: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(label) if name}


def problems(sources) -> tuple[int, list[str]]:
    """How many errors the code makes (`NorthstarError(…)` and its kin), and what is wrong with them: a sentence
    instead of a code, a code without a label, values that are not the ones its words ask for."""
    seen, wrong = 0, []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS and node.args):
                continue
            seen += 1
            first, at = node.args[0], f"{path.name}:{node.lineno}"
            names = {k.arg for k in node.keywords if k.arg} - {"keys"}       # (AccessDenied's refused targets)
            if any(k.arg is None for k in node.keywords) or isinstance(first, (ast.Attribute, ast.Name)):
                continue                     # a code passed on: NorthstarError(exc.code, **exc.values)
            codes = [n.value for n in ast.walk(first) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            if isinstance(first, ast.JoinedStr) or not codes:
                wrong.append(f"{at}: a sentence, not a code")
            for code in codes if not isinstance(first, ast.JoinedStr) else []:
                if code not in LABELS:
                    wrong.append(f"{at}: {code!r} has no label")
                elif placeholders(LABELS[code][1]) != names:
                    wrong.append(f"{at}: {code!r} asks for {sorted(placeholders(LABELS[code][1]))}, is given "
                                 f"{sorted(names)}")
    return seen, wrong


def test_every_error_is_a_code_with_the_values_its_words_ask_for():
    seen, wrong = problems(SOURCES)
    assert seen >= 120 and wrong == []


def test_the_check_finds_a_sentence_and_wrong_values(tmp_path):
    """The test above can fail: a sentence raised the way it used to be, and a code given a value it does not ask
    for (the sentence would then raise KeyError while saying what went wrong)."""
    bad = tmp_path / "bad.py"
    bad.write_text('def f(db):\n    raise NorthstarError(f"no warehouse at {db}")\n\n\n'
                   'def g(db):\n    raise NorthstarError("warehouse_missing", path=db)\n', encoding="utf-8")
    assert problems([bad]) == (2, ["bad.py:2: a sentence, not a code",
                                   "bad.py:6: 'warehouse_missing' asks for ['db'], is given ['path']"])


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
