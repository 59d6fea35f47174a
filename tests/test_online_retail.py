"""Real data: Online Retail II (examples/online_retail/data, shipped with the project) through
examples/online_retail/adapt.py and the build: every file's rows read = loaded + rejected, the member retention
table of the `cohorts` command equals an independent pandas computation over the original invoice lines, and the
Cohorts page renders on it."""
from __future__ import annotations

import csv
import io
import subprocess
import sys

import pandas as pd
import pytest

from pipelines.warehouse import build as build_mod
from tests.conftest import ROOT
from tests.conftest import retail_adapter as adapter

SOURCE = adapter().SOURCE          # examples/online_retail/data (or NORTHSTAR_RETAIL_DATA)
AS_OF = "2010-12-09"


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    out = tmp_path_factory.mktemp("retail")
    counts = adapter().adapt(SOURCE, out)
    result = build_mod.build(raw=out / "raw", config=out / "config", db=out / "wh.duckdb", as_of=AS_OF, quiet=True)
    return out, counts, result


def test_the_adapted_real_data_builds_and_loses_no_row(retail):
    _, counts, result = retail
    # 40 countries, 4,383 customers, 28,816 invoices (of 525,461 lines)
    assert counts == {"stations": 40, "members": 4383, "orders": 28816}
    for f in result.files:
        assert f["read"] == f["loaded"] + f["rejected"], f
    orders = next(f for f in result.files if f["table"] == "orders")
    # 5,229 invoices without a customer and 2 whose lines add up to 0 are rejected, with their reasons
    assert (orders["read"], orders["loaded"], orders["rejected"]) == (28816, 23585, 5231)
    assert dict(((t, r), n) for t, r, n in result.reasons) == {("orders", "missing_value"): 5229,
                                                                 ("orders", "bad_amount"): 2}


def pandas_retention() -> dict[tuple[str, int], tuple]:
    """Member retention straight from the invoice lines: a member joins on their first invoice; a paid order is an
    invoice not starting with C whose lines add up to more than 0."""
    lines = pd.read_parquet(SOURCE)
    lines = lines[lines["Customer ID"].notna()].copy()
    lines["amount"] = lines["Quantity"] * lines["Price"]
    inv = lines.groupby("Invoice").agg(ts=("InvoiceDate", "min"), amount=("amount", "sum"),
                                       customer=("Customer ID", "first"))
    inv["ts"] = pd.to_datetime(inv["ts"])
    inv["amount"] = inv["amount"].round(2)
    joined = inv.groupby("customer")["ts"].min().dt.to_period("M")
    paid = inv[~inv.index.str.startswith("C") & (inv["amount"] > 0)].copy()
    paid["cohort"] = paid["customer"].map(joined)
    paid["k"] = [(m - c).n for m, c in zip(paid["ts"].dt.to_period("M"), paid["cohort"])]
    active = paid.groupby(["cohort", "k"])["customer"].nunique()
    gmv = paid.groupby(["cohort", "k"])["amount"].sum()
    last_k = paid.groupby("customer")["k"].max()
    members = pd.DataFrame({"cohort": joined, "last_k": joined.index.map(last_k)})
    d = pd.Timestamp(AS_OF)
    out = {}
    for cohort, group in members.groupby("cohort"):
        n = len(group)
        for k in range((d.to_period("M") - cohort).n + 1):
            after = int((group["last_k"] >= k).sum())
            out[(str(cohort), k)] = (n, int(active.get((cohort, k), 0)), after, float(gmv.get((cohort, k), 0.0)),
                                     (cohort + k).to_timestamp(how="end") <= d)
    return out


def test_the_cohorts_command_equals_pandas_on_the_real_data(retail):
    out, _, _ = retail
    run = subprocess.run([sys.executable, "-m", "pipelines", "cohorts", "--db", str(out / "wh.duckdb")], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    got = {(r["cohort_month"], int(r["month_index"])): r for r in csv.DictReader(io.StringIO(run.stdout))}
    want = pandas_retention()
    assert set(got) == set(want) and len(want) == 13 * 14 // 2          # 13 cohorts, Dec 2009 … Dec 2010
    for key, (n, active, after, gmv, complete) in want.items():
        r = got[key]
        assert (int(r["cohort_size"]), int(r["active"]), int(r["active_or_after"])) == (n, active, after), key
        assert float(r["active_rate"]) == round(active / n, 6) and float(r["active_or_after_rate"]) == round(
            after / n, 6
        )
        assert float(r["gmv"]) == pytest.approx(gmv, abs=0.011), key
        assert (r["complete"] == "true") is bool(complete), key
    # the first cohort holds everyone seen in December 2009: 1,045, of whom 955 paid that month
    assert (got[("2009-12", 0)]["cohort_size"], got[("2009-12", 0)]["active"]) == ("1045", "955")


def test_the_cohorts_page_renders_on_the_real_data(retail, monkeypatch, fresh_cache):
    import json

    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP

    out, _, _ = retail
    monkeypatch.setenv("NORTHSTAR_DB", str(out / "wh.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    heat = next(json.loads(c.proto.spec)["data"][0] for c in at.get("plotly_chart")
                if json.loads(c.proto.spec)["data"][0]["type"] == "heatmap")
    assert heat["y"][0] == "加权平均" and heat["y"][-1].startswith("2010-12 (")
    assert not at.dataframe                                     # the list waits for its switch
    at.toggle(key="drill_show_zh").set_value(True).run()
    assert len(at.dataframe[0].value) > 0                       # December 2010's active members, listed
