"""The board says how old the data is (issue 17.8): the chart's marker is the as-of date, not "today"; stale data is
flagged on the board as on the Data page; the sample company is called the sample, never stale, and a build of it
without --as-of takes the sample's own extraction date."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.base.progress import Progress
from pipelines.delivery import trees
from pipelines.warehouse import build as build_mod
from pipelines.warehouse import freshness, sample
from tests.conftest import open_app
from tests.test_app import html
from ui.views import charts

pytestmark = pytest.mark.usefixtures("fresh_cache")


def age_shown(at) -> str | None:
    page = html(at)
    if 'data-k="data.age"' not in page:
        return None
    return page.split('data-k="data.age"')[1].split(">", 1)[1].split("</span>")[0]


@pytest.mark.parametrize("today, lang, shown", [
    ("2026-12-05", "zh", "✖ 数据已 5 天未更新"),
    ("2026-12-05", "en", "✖ Data 5 days old"),
    ("2026-12-02", "zh", None),                  # 2 days: fresh, nothing to say
])
def test_stale_data_is_flagged_on_the_board(company, monkeypatch, today, lang, shown):
    at = open_app(company, monkeypatch, "pages/board.py", lang, NORTHSTAR_TODAY=today)
    assert not at.exception
    assert age_shown(at) == shown


def test_the_sample_is_called_the_sample_and_never_stale(tiny, monkeypatch):
    at = open_app(tiny / "wh.duckdb", monkeypatch, "pages/board.py", NORTHSTAR_TODAY="2027-03-01")
    assert age_shown(at) == "示例数据"
    with duckdb.connect(str(tiny / "wh.duckdb"), read_only=True) as con:
        age = freshness.data_age(con, dt.date(2027, 3, 1))
    assert (age["sample"], age["stale"], age["days_old"]) == (True, False, 97)
    at = open_app(tiny / "wh.duckdb", monkeypatch, "pages/data.py", "en", NORTHSTAR_TODAY="2027-03-01")
    page = "".join(m.value for m in at.markdown)
    assert "Sample data" in page.split('data-k="data.fresh"')[1][:60] and not at.warning


def test_a_sample_build_without_as_of_takes_the_samples_date(tmp_path, monkeypatch):
    monkeypatch.delenv("NORTHSTAR_AS_OF", raising=False)
    sample.generate(size="tiny", out=tmp_path, progress=Progress(quiet=True))
    result = build_mod.build(raw=tmp_path / "raw", config=tmp_path / "config", db=tmp_path / "wh.duckdb", quiet=True)
    assert result.as_of == sample.AS_OF == dt.date(2026, 11, 24)
    (tmp_path / "raw" / ".northstar-sample.json").unlink()           # your own data: today, as before
    result = build_mod.build(raw=tmp_path / "raw", config=tmp_path / "config", db=tmp_path / "wh2.duckdb", quiet=True)
    from zoneinfo import ZoneInfo  # today in Beijing, not the server's (issue 18.3)
    assert result.as_of == dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with duckdb.connect(str(tmp_path / "wh2.duckdb"), read_only=True) as con:
        assert freshness.data_age(con, dt.date.today())["sample"] is False


def test_the_chart_marks_the_as_of_date_not_today(tiny):
    tree = trees.load(tiny / "wh.duckdb", "2025-06", "2025-06-30")
    for lang, word in (("zh", "截至 6月30日"), ("en", "As of Jun 30")):
        fig = charts.month_progress(tree, lang)
        notes = [a.text for a in fig.layout.annotations]
        assert word in notes and not any("今天" in n or "Today" in n for n in notes)


def test_importing_your_own_files_ends_the_sample(tmp_path, monkeypatch):
    """The mark goes with the sample's files into the backup: the data is now yours, and its age counts."""
    from pipelines.warehouse import importer

    monkeypatch.delenv("NORTHSTAR_AS_OF", raising=False)
    sample.generate(size="tiny", out=tmp_path, fmt="csv", progress=Progress(quiet=True))
    own = tmp_path / "own" / "stations.csv"
    own.parent.mkdir()
    own.write_bytes((tmp_path / "raw" / "stations.csv").read_bytes())
    report = importer.check([own], tmp_path / "raw", tmp_path / "config", as_of=sample.AS_OF)
    assert report.ok, report.problems
    result, backup = importer.apply(report, tmp_path / "raw", tmp_path / "config", tmp_path / "wh.duckdb",
                                    as_of=sample.AS_OF)
    assert not (tmp_path / "raw" / ".northstar-sample.json").exists()
    assert (backup / ".northstar-sample.json").exists()
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert freshness.data_age(con, dt.date(2026, 12, 1))["sample"] is False
