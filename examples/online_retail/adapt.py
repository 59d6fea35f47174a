"""Online Retail II (a real UK online retailer's invoice lines, 2009-12 to 2010-12; UCI, CC BY 4.0) → Northstar's
data contract, so the pipeline and the dashboard run on real, messy data.

- Countries become stations, in three war zones: the United Kingdom (uk), the rest of Europe (europe) and the
  rest of the world (world); each zone has one team and one lead. A station opens on the first invoice seen in
  its country.
- Customers become members who join on their first invoice, at the station of that invoice's country (a customer
  seen under more than one country stays where they started); channel `online`, owned by one center.
- Invoices become orders: the sum of their lines; an invoice whose number starts with C (a cancellation, negative
  quantities) becomes a `refunded` order of the cancelled amount, every other one a `paid` order. Lines without a
  customer keep an empty member id, so the build rejects those orders with a reason and loses nothing; so are
  invoices whose lines add up to 0 (an order amount must be > 0).

    python examples/online_retail/adapt.py --out /tmp/retail
    python -m pipelines build --raw /tmp/retail/raw --config /tmp/retail/config --db /tmp/retail/wh.duckdb \\
        --as-of 2010-12-09

`--years 2` adds the same retailer's next year (UCI "Online Retail", 2010-12 to 2011-12-09): two real years, the
place to prove a month's forecast (issue 35). The first file's lines up to 2010-11-30 and the second's from
2010-12-01 on (the two overlap in December 2010's first week); build with `--as-of 2011-12-09`.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
# the two real years ship with the project (examples/online_retail/data, CC BY 4.0: its README); another copy of
# the same two files can be named with NORTHSTAR_RETAIL_DATA
DATA = Path(os.environ.get("NORTHSTAR_RETAIL_DATA") or Path(__file__).resolve().parent / "data")
SOURCE = DATA / "online_retail_ii_2009_2010.parquet"
NEXT_YEAR = DATA / "online_retail_2010_2011.parquet"
AS_OF = "2010-12-09"
AS_OF_TWO_YEARS = "2011-12-09"
SWITCH = "2010-12-01"        # the first file up to the day before, the second from this day
EUROPE = ("EIRE", "Germany", "France", "Netherlands", "Spain", "Switzerland", "Portugal", "Belgium", "Channel Islands",
          "Sweden", "Italy", "Cyprus", "Austria", "Greece", "Denmark", "Norway", "Finland", "Poland", "Malta",
          "Lithuania", "Iceland")

ORG = """# Online Retail II as a Northstar company: countries are stations in three war zones (examples/online_retail).
company: {id: retail, name: {zh: 在线零售（真实数据）, en: Online Retail (real data)}}
war_zones:
  - id: uk
    name: {zh: 英国战区, en: United Kingdom}
    teams:
      - id: uk-1
        name: {zh: 英国一队, en: UK team}
        people: [{id: uk-lead, name: {zh: 英国负责人, en: UK lead}}]
  - id: europe
    name: {zh: 欧洲战区, en: Europe}
    teams:
      - id: europe-1
        name: {zh: 欧洲一队, en: Europe team}
        people: [{id: europe-lead, name: {zh: 欧洲负责人, en: Europe lead}}]
  - id: world
    name: {zh: 海外战区, en: Rest of the world}
    teams:
      - id: world-1
        name: {zh: 海外一队, en: World team}
        people: [{id: world-lead, name: {zh: 海外负责人, en: World lead}}]
centers:
  - id: internet
    name: {zh: 互联网中心, en: Internet Center}
    channels: [online]
"""


# A UK retailer: the month's shape learns the UK's bank holidays, not China's (pipelines/plan/calendar.py)
GOALS = """# Online Retail II as a Northstar company (examples/online_retail): its calendar is the UK's.
calendar: {public_holidays: GB}
"""


def adapt(source: Path, out: Path, next_year: Path | None = None) -> dict[str, int]:
    """Writes out/raw/{stations,members,orders}.csv, out/config/org.yaml and goals.yaml (the UK's calendar);
    returns the rows written per table.
    With `next_year` (the 2010-2011 file), two years: `source` before SWITCH, `next_year` from it."""
    for path in (source, next_year):
        if path is not None and not path.exists():
            raise SystemExit(f"error: {path} not found: the project ships it in examples/online_retail/data/ (or set "
                             "NORTHSTAR_RETAIL_DATA to a folder with the two files; see that folder's README)")
    raw, config = out / "raw", out / "config"
    raw.mkdir(parents=True, exist_ok=True)
    config.mkdir(parents=True, exist_ok=True)
    (config / "org.yaml").write_text(ORG, encoding="utf-8")
    (config / "goals.yaml").write_text(GOALS, encoding="utf-8")
    con = duckdb.connect()
    lines_sql = "select * from first_year" if next_year is None else f"""
        select * from first_year where ts < timestamp '{SWITCH}'
        union all
        select cast(InvoiceNo as varchar), InvoiceDate::timestamp, Quantity * UnitPrice, Country,
               case when CustomerID is null then '' else cast(cast(CustomerID as bigint) as varchar) end
        from read_parquet('{next_year}') where InvoiceDate::timestamp >= timestamp '{SWITCH}'"""
    europe = ", ".join("'" + c.replace("'", "''") + "'" for c in EUROPE)
    con.execute(f"""
        create view first_year as
        select Invoice as invoice, InvoiceDate::timestamp as ts, Quantity * Price as amount, Country as country,
               case when "Customer ID" is null then '' else cast(cast("Customer ID" as bigint) as varchar) end
                   as customer
        from read_parquet('{source}');
        create view lines as {lines_sql};
        create view invoices as
        select invoice, min(ts) as ts, round(sum(amount), 2) as amount, any_value(country) as country,
               any_value(customer) as customer
        from lines group by invoice;
        create view stations as
        select 'ST-' || upper(regexp_replace(country, '[^A-Za-z]+', '-', 'g')) as station_id, country as name,
               case when country = 'United Kingdom' then 'uk' when country in ({europe}) then 'europe'
                    else 'world' end as war_zone,
               min(ts)::date as opened_on
        from invoices group by country;
    """)
    con.execute(f"""copy (
        select station_id, name, war_zone, war_zone || '-1' as team, war_zone || '-lead' as owner,
               name as province, name as city, opened_on as signed_on, opened_on, null as closed_on
        from stations order by station_id) to '{raw / 'stations.csv'}' (header, delimiter ',')""")
    con.execute(f"""copy (
        select customer as member_id, s.station_id, i.ts::date as joined_on, 'standard' as tier, 0 as fee,
               'online' as channel, null as referrer_id, null as refunded_on, null as phone
        from (select *, row_number() over (partition by customer order by ts, invoice) as n
              from invoices where customer <> '') as i
        join stations as s on s.name = i.country
        where i.n = 1 order by member_id) to '{raw / 'members.csv'}' (header, delimiter ',')""")
    con.execute(f"""copy (
        select invoice as order_id, customer as member_id, strftime(ts, '%Y-%m-%d %H:%M:%S') as ordered_at,
               abs(amount) as amount, case when invoice like 'C%' then 'refunded' else 'paid' end as status,
               null as category
        from invoices order by ts, invoice) to '{raw / 'orders.csv'}' (header, delimiter ',')""")
    counts = {name: con.execute(f"select count(*) from read_csv('{raw / (name + '.csv')}')").fetchall()[0][0]
              for name in ("stations", "members", "orders")}
    con.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Online Retail II → Northstar raw files and org.yaml.")
    p.add_argument("--source", type=Path, default=SOURCE, help=f"the parquet file (default {SOURCE})")
    p.add_argument("--out", type=Path, required=True, help="folder for raw/ and config/")
    p.add_argument("--years", type=int, choices=[1, 2], default=1,
                   help=f"2: add the next year ({NEXT_YEAR.name}), two real years to 2011-12-09 (default 1)")
    args = p.parse_args(argv)
    counts = adapt(args.source, args.out, NEXT_YEAR if args.years == 2 else None)
    print(", ".join(f"{n:,} {name}" for name, n in counts.items()) + f" written to {args.out / 'raw'}; "
          f"build with --as-of {AS_OF if args.years == 1 else AS_OF_TWO_YEARS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
