"""The sample generator: deterministic, shaped as issue 2 asks, with a plan that matches its data."""
import csv
import hashlib
import json

import duckdb
import yaml

from pipelines.base.progress import Progress
from pipelines.warehouse import sample
from tests.conftest import ROOT


def digests(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for root, seed in ((a, 7), (b, 7), (c, 8)):
        sample.generate(size="tiny", seed=seed, out=root, progress=Progress(quiet=True))
    assert digests(a) == digests(b)
    assert len(digests(a)) == 9          # raw: 3 tables and the sample's mark; config: 5 files (access, channels too)
    assert json.loads((a / "raw" / ".northstar-sample.json").read_text()) == {"as_of": "2026-11-24", "size": "tiny",
                                                                              "seed": 7}
    assert digests(a)["raw/orders.parquet"] != digests(c)["raw/orders.parquet"]


def test_the_sample_is_open_and_lists_a_person_of_every_role(tmp_path):
    from pipelines.plan.access import ROLES, load_access
    from pipelines.plan.org import load_org

    sample.generate(size="tiny", out=tmp_path, progress=Progress(quiet=True))
    config = tmp_path / "config"
    access = load_access(config, load_org(config))
    assert access.auth == "open" and access.configured
    assert {u.role for u in access.users} == set(ROLES)
    assert {u.war_zone for u in access.users if u.role == "zone_lead"} == {"east", "south", "north"}
    assert (config / "access.yaml").read_text(encoding="utf-8") == (ROOT / "data" / "config" / "access.yaml").read_text(
        encoding="utf-8")      # the plan the repository ships is the sample's


def test_the_samples_channels_name_variables_and_people_of_access_yaml(tmp_path):
    """The brief's channels of the sample load (every `as:` a person of access.yaml) and hold no URL or secret."""
    from pipelines.delivery.channels import load_channels
    from pipelines.plan.access import load_access
    from pipelines.plan.org import load_org

    sample.generate(size="tiny", out=tmp_path, progress=Progress(quiet=True))
    config = tmp_path / "config"
    channels = load_channels(config, load_access(config, load_org(config)))
    assert [(c.id, c.type) for c in channels.channels] == [("hq-wecom", "wecom"), ("north-ding", "dingtalk"),
                                                          ("hq-mail", "email"), ("ops-feishu", "feishu")]
    text = (config / "channels.yaml").read_text(encoding="utf-8")
    assert "key=" not in text and "access_token" not in text and "hooks" not in text
    assert text == (ROOT / "data" / "config" / "channels.yaml").read_text(encoding="utf-8")


def test_a_fourth_war_zone_is_one_entry(tmp_path, monkeypatch):
    """Issue 34: the sample's access.yaml and channels.yaml were hand-written strings that had to agree with its
    zones by hand. A zone added to ZONES (with its cities) is in the org, has its lead's account, its people in the
    targets, and a build of it passes its data tests."""
    from pipelines.plan.access import load_access
    from pipelines.plan.org import load_org
    from tests.conftest import run_build

    zones = [(*z[:4], z[4] * 0.8, *z[5:]) for z in sample.ZONES]       # the shares of stations still add up to 1
    monkeypatch.setattr(sample, "ZONES", [*zones, ("west", "西部战区", "West Zone", [5, 4], 0.2, 700, 150,
                                                   "lead-west", "马超")])
    monkeypatch.setattr(sample, "CITIES", {**sample.CITIES, "west": [("四川", "成都"), ("重庆", "重庆")]})
    sample.generate(size="tiny", out=tmp_path, progress=Progress(quiet=True))
    config = tmp_path / "config"
    org = load_org(config)
    access = load_access(config, org)
    assert "west" in org.ids("war_zone")
    assert [(u.id, u.war_zone) for u in access.users if u.role == "zone_lead"][-1] == ("lead-west", "west")
    run_build(tmp_path)                      # the data tests pass: every row of the new zone is attributed
    from tests.conftest import query
    zones = dict(query(tmp_path / "wh.duckdb", "select war_zone, count(*) from station_nodes group by 1"))
    assert zones.get("west", 0) > 0, zones


def test_csv_format_and_sizes(tmp_path):
    written = sample.generate(size="tiny", out=tmp_path, fmt="csv", progress=Progress(quiet=True))
    with duckdb.connect() as con:
        n = {t: con.execute(f"select count(*) from read_csv('{written[t]}')").fetchall()[0][0]
             for t in ("stations", "members", "orders")}
    assert n["stations"] == 60
    assert 2_700 <= n["members"] <= 3_300 and 27_000 <= n["orders"] <= 33_000


def test_org_shape(tiny):
    org = yaml.safe_load((tiny / "config" / "org.yaml").read_text(encoding="utf-8"))
    assert len(org["war_zones"]) == 3
    for zone in org["war_zones"]:
        assert 2 <= len(zone["teams"]) <= 4
        for team in zone["teams"]:
            assert 4 <= len(team["people"]) <= 8
    centers = {c["id"]: c["channels"] for c in org["centers"]}
    assert set(centers) == {"content", "internet", "community", "platform"}
    assert "referral" in centers["community"]


def test_targets_decompose_down_to_people_and_one_month_does_not_add_up(tiny):
    with open(tiny / "config" / "targets.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["level"] for r in rows} == {"company", "war_zone", "team", "person", "center"}
    t = {(r["month"], r["level"], r["node_id"], r["metric"]): int(r["target"]) for r in rows}
    months = sorted({r["month"] for r in rows})
    assert months[-1] == "2026-11"
    mismatched = []
    for m in months:
        for metric in ("stations", "members"):
            zones = sum(v for (mm, lvl, _, me), v in t.items() if mm == m and lvl == "war_zone" and me == metric)
            company = t.get((m, "company", "company", metric), 0)
            if zones != company:
                mismatched.append((m, metric))
    assert {m for m, _ in mismatched} == {"2026-09"}


def test_network_shape_small_enough_to_check_on_tiny(tiny):
    db = tiny / "wh.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert q("select count(*) from stations where opened_on is null")[0][0] > 0          # signed, never opened
        assert q("select count(*) from stations where closed_on is not null")[0][0] > 0      # closed
        assert q("select count(*) from members where refunded_on is not null")[0][0] > 0     # refunded
        assert {r[0] for r in q("select distinct status from orders")} == {"paid", "refunded", "cancelled"}
        # referral chains several levels deep
        depth = q("""with recursive chain(member_id, depth) as (
                        select member_id, 1 from members where referrer_id is null
                        union all
                        select m.member_id, c.depth + 1 from members m join chain c on m.referrer_id = c.member_id)
                     select max(depth) from chain""")[0][0]
        assert depth >= 4
        # order frequency decays with membership age: more orders in the first 90 days than in days 180-270
        early, late = q("""select count(*) filter (where age < 90), count(*) filter (where age between 180 and 269)
                           from (select o.ordered_at::date - m.joined_on as age
                                 from orders o join members m using (member_id)
                                 where m.joined_on <= date '2026-02-01')""")[0]
        assert early > 1.5 * late
        assert q("select max(ordered_at)::date from orders")[0][0] <= sample.AS_OF


def test_orders_in_chunks_are_the_same_orders_and_build_the_same_warehouse(tmp_path, tiny):
    """Issue 37: a size with more orders than sample.ORDER_CHUNK writes them in files of about that many
    (orders-01, orders-02 …; `xlarge` has 300M), each made and sorted on its own so the generator holds one
    chunk. Cut small here: the same rows in the same order as the one file, a member's orders never split, a build
    of them equal to the one-file build; and a later one-file sample in the same folder leaves no chunk behind."""
    from pipelines.okr import pacebuild
    from pipelines.warehouse import build as build_mod

    assert sample.SIZES["xlarge"].orders == 300_000_000 and sample.ORDER_CHUNK < sample.SIZES["xlarge"].orders
    root = tmp_path / "chunked"
    written = sample.generate(size="tiny", seed=7, out=root, progress=Progress(quiet=True), order_chunk=7_000)
    files = sorted(p.name for p in (root / "raw").glob("orders*"))
    assert files == [f"orders-0{i}.parquet" for i in range(1, 6)] and set(files) <= {p.name for p in written.values()}
    with duckdb.connect() as con:
        one = con.execute(f"select * from read_parquet('{tiny / 'raw' / 'orders.parquet'}')").fetchall()
        parts = [con.execute(f"select * from read_parquet('{root / 'raw' / f}')").fetchall() for f in files]
    assert [r for part in parts for r in part] == one
    assert all(6_900 <= len(p) <= 7_100 for p in parts[:-1])
    members = [{r[1] for r in p} for p in parts]
    assert all(not (a & b) for i, a in enumerate(members) for b in members[i + 1:])     # no member in two files
    result = build_mod.build(raw=root / "raw", config=root / "config", db=root / "wh.duckdb", as_of=sample.AS_OF,
                             quiet=True, derive=pacebuild.derive)
    with duckdb.connect(str(tiny / "wh.duckdb"), read_only=True) as con:
        assert result.tables["orders"] == con.execute("select count(*) from orders").fetchone()[0]
    sample.generate(size="tiny", seed=7, out=root, progress=Progress(quiet=True))
    assert sorted(p.name for p in (root / "raw").glob("orders*")) == ["orders.parquet"]
