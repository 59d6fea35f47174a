"""Labels that cannot drift (issue 19.8): every label a page asks for exists, in both languages, and every label in
the table is asked for somewhere (a literal key, or an f-string / concatenation with its prefix)."""
import re

from pipelines.base.labels import LABELS
from tests.conftest import ROOT

LABEL_TABLE = ROOT / "pipelines" / "base" / "labels"
# Every file that asks for a label: the pages and the data side (the brief, the errors), not the table itself
# (issue 34: counting the table as a use made every label look used, so the test below could not fail).
CODE = "\n".join(p.read_text(encoding="utf-8") for p in [
    *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py",
    *(p for p in (ROOT / "pipelines").rglob("*.py") if LABEL_TABLE not in p.parents)])
CALL = r"\b(?:t|tm|text|say|Words)\(\s*"
LITERAL = set(re.findall(CALL + r'"([A-Za-z_0-9.]+)"(?!\s*\+)', CODE)) - {"key"}     # (the module's docstring)
PREFIXES = set(re.findall(CALL + r'f"([A-Za-z_0-9.]+)\{', CODE)) | set(
    re.findall(CALL + r'"([A-Za-z_0-9.]+)"\s*\+', CODE)
)
# a label's key made first, then asked for (key = f"reason_{code}"); a widget's key is made the same way, so these
# only count as uses, they are not held to exist
KEY_PREFIXES = set(re.findall(r'\bkey = f"([A-Za-z_0-9.]+)\{', CODE))
# a key built with its variable part first: text(f"{metric}_abbr"), text(name + "_help")
SUFFIXES = set(re.findall(CALL + r'f"\{[^}"]+\}(_[A-Za-z_0-9.]+)"', CODE)) | set(
    re.findall(CALL + r'\w+\s*\+\s*"(_[A-Za-z_0-9.]+)"', CODE))


def test_every_label_asked_for_exists_in_both_languages():
    assert sorted(k for k in LITERAL if k not in LABELS) == []
    for key, pair in LABELS.items():
        assert len(pair) == 2 and all(isinstance(s, str) and s.strip() for s in pair), key
        zh, en = pair
        assert set(re.findall(r"\{(\w+)", zh)) == set(re.findall(r"\{(\w+)", en)), key   # the same placeholders
    for prefix in PREFIXES:
        assert any(k.startswith(prefix) for k in LABELS), prefix


def unused(labels) -> list[str]:
    quoted = set(re.findall(r'"([a-z_0-9.]+)"', CODE))        # keys held in tables (e.g. a column's label key)
    return sorted(
        k
        for k in labels
        if k not in LITERAL
        and k not in quoted
        and not any(k.startswith(p) for p in PREFIXES | KEY_PREFIXES)
        and not any(k.endswith(x) for x in SUFFIXES)
    )


def test_every_label_is_used():
    assert unused(LABELS) == []


def test_the_unused_label_check_can_fail():
    """A label added and asked for nowhere is found (before issue 34 it passed: the table counted as its use)."""
    assert unused({**LABELS, "zz_added_and_never_asked_for": ("从未使用", "never used")}) == [
        "zz_added_and_never_asked_for"]


def test_every_command_says_how_it_is_used_with_an_example():
    """`python -m pipelines X --help` shows an example for every command and subcommand (issue 19.8)."""
    import argparse
    import subprocess
    import sys

    from pipelines.cli import parser

    def walk(p: argparse.ArgumentParser, path: list[str]):     # every command the parser has, however deep
        yield path
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, path + [name])

    commands = list(walk(parser(), []))
    assert len(commands) >= 10
    for cmd in commands:
        out = subprocess.run([sys.executable, "-m", "pipelines", *cmd, "--help"], capture_output=True, text=True,
                             cwd=ROOT)
        assert out.returncode == 0, (cmd, out.stderr)
        assert "example" in out.stdout and f"python -m pipelines {' '.join(cmd)}".strip() in out.stdout, cmd
