"""Labels that cannot drift (issue 19.8): every label a page asks for exists, in both languages, and every label in
the table is asked for somewhere (a literal key, or an f-string / concatenation with its prefix)."""
import re

from tests.conftest import ROOT
from ui.i18n import LABELS

CODE = "\n".join(p.read_text(encoding="utf-8") for p in [*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"),
                                                          ROOT / "dashboard.py"])
CALL = r"\b(?:t|tm|text)\(\s*"
LITERAL = set(re.findall(CALL + r'"([A-Za-z_0-9.]+)"(?!\s*\+)', CODE)) - {"key"}     # (the module's docstring)
PREFIXES = set(re.findall(CALL + r'f"([A-Za-z_0-9.]+)\{', CODE)) | set(re.findall(CALL + r'"([A-Za-z_0-9.]+)"\s*\+', CODE))


def test_every_label_asked_for_exists_in_both_languages():
    assert sorted(k for k in LITERAL if k not in LABELS) == []
    for key, pair in LABELS.items():
        assert len(pair) == 2 and all(isinstance(s, str) and s.strip() for s in pair), key
        zh, en = pair
        assert set(re.findall(r"\{(\w+)", zh)) == set(re.findall(r"\{(\w+)", en)), key   # the same placeholders
    for prefix in PREFIXES:
        assert any(k.startswith(prefix) for k in LABELS), prefix


def test_every_label_is_used():
    quoted = set(re.findall(r'"([a-z_0-9.]+)"', CODE))        # keys held in tables (e.g. a column's label key)
    unused = sorted(k for k in LABELS if k not in LITERAL and k not in quoted
                    and not any(k.startswith(p) for p in PREFIXES))
    assert unused == []
