"""The command line: `sample`, `build`, `pull`, `refresh`, `import`, `tree`, `cohorts`, `plan`, `users`, `brief`,
`backtest`. Every command has --help, progress on long work, clear errors, exit ≠ 0 on failure."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

from pipelines.base import csvsafe, paths
from pipelines.base.errors import NorthstarError
from pipelines.base.labels import LABELS, Words

EXAMPLES = """examples:
  python -m pipelines sample --size tiny --out /tmp/ns       # a small sample in /tmp/ns/raw and /tmp/ns/config
  python -m pipelines build                                  # data/raw + data/config -> data/warehouse.duckdb
  python -m pipelines build --raw ~/exports --as-of 2026-11-24
  python -m pipelines plan export --out /tmp/plan               # the current plan, as config files
"""


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cmd_sample(args) -> int:
    from pipelines.warehouse import sample

    if args.out:
        raw, config = Path(args.out) / "raw", Path(args.out) / "config"
    else:
        raw, config = paths.raw_dir(), paths.config_dir()
    if args.if_missing and raw.exists() and any(raw.iterdir()):
        print(f"sample: {raw} already has data; nothing generated (drop --if-missing to regenerate).")
        return 0
    start = time.perf_counter()
    written = sample.generate(size=args.size, seed=args.seed, fmt=args.format, raw=raw, config=config)
    took = time.perf_counter() - start
    print(f"sample ({args.size}, seed {args.seed}) written in {took:.1f} s, peak memory {_peak_mib():,.0f} MiB:")
    for name, path in written.items():
        print(f"  {name:<9} {path}  ({path.stat().st_size / 1e6:,.1f} MB)")
    return 0


def cmd_build(args) -> int:
    from pipelines.okr import pacebuild
    from pipelines.warehouse import build

    db = paths.db_path(args.db)
    if args.if_missing and db.exists():
        print(f"build: {db} exists; nothing built (drop --if-missing to rebuild).")
        return 0
    config = paths.config_dir(args.config)
    try:
        result = build.build(raw=paths.raw_dir(args.raw), config=config, db=db, as_of=args.as_of, quiet=args.quiet,
                             incremental=args.incremental, allow_shrink=args.allow_shrink, derive=pacebuild.derive)
    except NorthstarError as exc:
        if (args.brief or args.alerts) and db.exists():    # an admin channel may hear of it; leaders hear nothing
            from pipelines.delivery import dispatch

            dispatch.send_build_failed(db, config, str(exc), say=_say)
        raise
    print(build.format_summary(result))
    print(f"peak memory {_peak_mib():,.0f} MiB")
    if args.brief or args.alerts:
        from pipelines.delivery import dispatch

        done = []
        if args.brief:
            done += dispatch.send_all(db, config, say=_say)
        if args.alerts:
            done += dispatch.send_alerts(db, config, say=_say)
        return _report(done, "the warehouse was built, but ")
    return 0


def _sources(config: Path, wanted: str | None):
    from pipelines.warehouse.sources import load_sources

    found = load_sources(config)
    if wanted is None:
        return found
    chosen = [s for s in found if s.id == wanted]
    if not chosen:
        raise NorthstarError("source_unknown", source=wanted, config=str(config), known=", ".join(s.id for s in found))
    return chosen


def _time_zone(config: Path) -> str:
    from pipelines.plan.folder import load_plan

    return load_plan(config).time_zone


def cmd_pull(args) -> int:
    from pipelines.warehouse import pull

    raw, config, db = paths.raw_dir(args.raw), paths.config_dir(args.config), paths.db_path(args.db)
    chosen, zone = _sources(config, args.source), _time_zone(config)
    for source in chosen:
        if args.table and args.table not in source.tables:
            raise NorthstarError("source_no_table", source=source.id, table=args.table)
    for source in chosen:
        pull.pull(source, raw, db, zone, full=args.full, say=print, tables=[args.table] if args.table else None)
    print("next: python -m pipelines build --incremental (or python -m pipelines refresh, which does both)")
    return 0


def cmd_refresh(args) -> int:
    """pull every source → build --incremental → the briefs; one line and exit 2 at the first step that fails."""
    from pipelines.delivery import dispatch
    from pipelines.okr import pacebuild
    from pipelines.warehouse import build, pull

    raw, config, db = paths.raw_dir(args.raw), paths.config_dir(args.config), paths.db_path(args.db)
    step = "reading the plan"
    try:
        with pull.refresh_lock(db):
            chosen, zone = _sources(config, None), _time_zone(config)
            for source in chosen:
                step = f"pulling {source.id}"
                pull.pull(source, raw, db, zone, say=_say)
            step = "building"
            result = build.build(raw=raw, config=config, db=db, as_of=args.as_of, quiet=args.quiet, incremental=True,
                                 derive=pacebuild.derive)
            print(build.format_summary(result))
            step = "sending the briefs"
            if args.no_brief or not (config / "channels.yaml").exists():
                print("briefs: not sent (" + ("--no-brief" if args.no_brief else f"no channels.yaml in {config}")
                      + ")")
                return 0
            done = dispatch.send_all(db, config, say=_say)
    except NorthstarError as exc:
        if step.startswith(("pulling", "building")) and db.exists():   # the admin channel hears of it, leaders not
            with contextlib.suppress(NorthstarError):
                dispatch.send_build_failed(db, config, str(exc), say=_say)
        raise NorthstarError("refresh_stopped" if db.exists() else "refresh_stopped_first", step=step,
                             err=Words(exc.code, **exc.values) if exc.code in LABELS else str(exc)) from None
    return _report(done, "the warehouse was refreshed, but ")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _report(done, prefix: str = "") -> int:
    """One line per channel that failed; exit 2 when any did (the others were still sent)."""
    failed = [o for o in done if not o.ok]
    for o in failed:
        print(f"error: {prefix}{o.channel} was not delivered: {o.detail}", file=sys.stderr)
    return 2 if failed else 0


def cmd_backtest(args) -> int:
    import json

    from pipelines.okr import backtest, goaltree

    db = paths.db_path(args.db)
    if not db.exists():
        raise NorthstarError("warehouse_missing", db=str(db))
    con = goaltree.open_warehouse(db)
    try:
        company = (con.execute("select id from org_nodes where level = 'company'").fetchone() or ["company"])[0]
        rows = backtest.replay(con, args.day)
    finally:
        con.close()
    doc = backtest.summary(rows, args.day, company)
    if args.format == "json":
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(backtest.table(doc, company))
    return 0


def cmd_brief(args) -> int:
    from pipelines.delivery import dispatch

    db, config = paths.db_path(args.db), paths.config_dir(args.config)
    if not db.exists():
        raise NorthstarError("warehouse_missing", db=str(db))
    dry = Path(args.dry_run) if args.dry_run else None
    if args.alerts:
        done = dispatch.send_alerts(db, config, args.month, args.as_of, dry, say=_say)
    elif args.all:
        done = dispatch.send_all(db, config, args.month, args.as_of, dry, say=_say)
    else:
        done = [dispatch.send_brief(db, config, args.channel, args.month, args.as_of, dry, say=_say)]
    for o in done:
        for path in o.written:
            print(path)
    return _report(done)


def cmd_import(args) -> int:
    from pipelines.okr import pacebuild
    from pipelines.warehouse import build, importer

    raw, config, db = paths.raw_dir(args.raw), paths.config_dir(args.config), paths.db_path(args.db)
    files = [Path(f) for f in args.files]
    gone = [str(f) for f in files if not f.is_file()]
    if gone:
        raise NorthstarError("no_such_file", files=", ".join(gone))
    report = importer.check(files, raw, config, args.as_of, db=db, add=args.add)
    for inc in report.files:
        how = f"{inc.table} (by its {inc.how})" if inc.table else "?"
        print(f"  {inc.name}: {how}")
    if report.result is not None:
        print("\nA build with these files would load:")
        for c in report.counts():
            print(f"  {c['file']:<30} {c['table']:<9} read {c['read']:>10,}  loaded {c['loaded']:>10,}  "
                  f"rejected {c['rejected']:>8,}")
        for table, code, n in report.result.reasons:
            if table in {i.table for i in report.files}:
                print(f"    rejected {n:,} {table} rows: {code}")
    if report.problems:
        print(f"error: {len(report.problems)} problem{'s' if len(report.problems) > 1 else ''}; nothing was changed:",
              file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    if report.replaced:
        print(f"\nThe import replaces {len(report.replaced)} current file{'s' if len(report.replaced) > 1 else ''} "
              f"(moved to a backup): {', '.join(report.replaced)}."
              + ("" if args.add else " To add the files beside them instead, use --add."))
    if report.kept:
        print(f"It keeps {len(report.kept)} current file{'s' if len(report.kept) > 1 else ''} of the same "
              f"table{'s' if len({i.table for i in report.files}) > 1 else ''}: {', '.join(report.kept)}.")
    if report.shrink:
        print("\nThis import would lose data the warehouse has: " + "; ".join(report.shrink) + ".")
    if args.dry_run:
        print("\n--dry-run: nothing was changed.")
        return 0
    if report.shrink and not args.allow_shrink:
        raise NorthstarError("import_would_shrink", problems=list(report.shrink))
    result, backup = importer.apply(report, raw, config, db, args.as_of, allow_shrink=args.allow_shrink,
                                    derive=pacebuild.derive)
    print()
    print(build.format_summary(result))
    if backup:
        print(f"\nthe previous files are in {backup}")
    return 0


def cmd_plan_import(args) -> int:
    from pipelines.plan.folder import load_plan
    from pipelines.plan.store import PlanStore, store_path

    config = paths.config_dir(args.config)
    if not config.is_dir():
        raise NorthstarError("plan_folder_missing", config=str(config))
    plan = load_plan(config)
    path = store_path(paths.db_path(args.db))
    with PlanStore(path) as store:
        result = store.import_config(config, plan, force=args.force)
    if not result.files:
        print(f"plan store {path}: {config} unchanged since the last import; nothing imported "
              "(--force imports every file again).")
    else:
        print(f"plan store {path}: imported {', '.join(result.files)} as change {result.change_id} "
              f"({result.describe()}).")
    return 0


def cmd_plan_export(args) -> int:
    from pipelines.plan.store import PlanStore, export_plan, store_path

    path = store_path(paths.db_path(args.db))
    if not path.exists():
        raise NorthstarError("store_missing_or_import", path=str(path))
    with PlanStore(path, read_only=True) as store:
        plan, checkins = store.current(), store.checkins()
    written = export_plan(plan, Path(args.out), checkins)
    print(f"plan exported from {path} ({len(plan.targets):,} targets, {len(plan.key_actions)} key actions):")
    for f in written:
        print(f"  {f}")
    return 0


def cmd_plan_history(args) -> int:
    from pipelines.plan.store import PlanStore, store_path

    path = store_path(paths.db_path(args.db))
    if not path.exists():
        raise NorthstarError("store_missing", path=str(path))
    with PlanStore(path, read_only=True) as store:
        rows = store.history(args.limit)
    # times in the company's zone, as every page writes them (issue 36: this printed UTC)
    from pipelines.okr.fmt import fmt_time

    zone = _time_zone(paths.db_path(args.db))
    print(f"{'change':>6}  {'when':<30} {'who':<16} {'source':<7} {'targets':>8} {'actions':>8} "
          f"{'check-ins':>9}  note")
    for r in rows:
        print(f"{r['id']:>6}  {fmt_time(r['at'], 'en', zone):<30} {r['who']:<16} {r['source']:<7} "
              f"{r['targets']:>8,} {r['key_actions']:>8,} {r['checkins']:>9,}  {r['note']}")
    return 0


def _time_zone(db: Path) -> str:
    """The company's time zone the warehouse was built in (goals.yaml time_zone), else Beijing time."""
    import duckdb

    from pipelines.okr.fmt import COMPANY_TZ

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute("select time_zone from build_info").fetchone()
    except duckdb.Error:
        return COMPANY_TZ
    return row[0] if row and row[0] else COMPANY_TZ


def viewer(db: Path, user_id: str | None, page: str):
    """The person `--as USER_ID` names, from access.yaml as the plan store holds it (None without --as: the
    command line is the machine's owner). An unknown id, or a person who may not read `page`: a NorthstarError."""
    if user_id is None:
        return None
    from pipelines.plan.access import ROLE_PAGES, AccessDenied
    from pipelines.plan.store import read_plan

    plan = read_plan(db)
    access = plan.access if plan is not None else None
    user = access.user(user_id) if access is not None else None
    if user is None:
        listed = ", ".join(u.id for u in access.users) if access is not None and access.users else "nobody"
        raise NorthstarError("as_unknown", user_id=user_id, listed=listed)
    if not user.can_read(page):
        allowed = [r for r, pages in ROLE_PAGES.items() if page in pages]
        raise AccessDenied("denied_page", user_id=user_id, user=user.label(), role=user.role,
                           page=page.replace("_", " "), allowed=", ".join(allowed))
    return user


def scope_words(user) -> str:
    if user.all_zones:
        return "every node"
    if user.role == "zone_lead":
        return f"every total; the teams and people of {user.war_zone} only"
    center = f"; the key actions of {user.center} only" if user.role == "center_lead" else ""
    return f"the company's, war zones' and centers' totals; no teams or people{center}"


def cmd_tree(args) -> int:
    import json

    from pipelines.delivery import treeformat, trees

    db = paths.db_path(args.db)
    user = viewer(db, args.as_user, "board")
    tree = trees.load(db, args.month, args.as_of, user=user, planned=args.planned)
    if args.format == "xlsx":
        from pipelines.delivery import treexlsx

        data = treexlsx.workbook(tree, args.lang, None if user is None else f"as {user.label()}: {scope_words(user)}")
        if args.out:
            Path(args.out).write_bytes(data)
            print(f"goal tree {tree.month} (as of {tree.as_of}) written to {args.out} "
                  f"({len(tree.nodes)} nodes, {len(data) / 1024:,.0f} KB)", file=sys.stderr)
        elif sys.stdout.isatty():
            raise NorthstarError("xlsx_to_terminal")
        else:
            sys.stdout.buffer.write(data)
        return 0
    if args.format == "json":
        doc = tree.to_json(args.lang)
        if user is not None:
            doc["viewer"] = {"id": user.id, "role": user.role, "war_zone": user.war_zone, "center": user.center}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(treeformat.csv_text(tree))
    else:
        if user is not None:
            print(f"as {user.label()}, {user.role}: {scope_words(user)}\n")
        print(treeformat.table(tree))
    return 0


def cmd_cohorts(args) -> int:
    import csv
    import json

    from pipelines.okr import cohorts, goaltree

    viewer(paths.db_path(args.db), args.as_user, "cohorts")
    con = goaltree.open_warehouse(paths.db_path(args.db))
    try:
        if args.kind == "members":
            rows, columns = cohorts.members(con, by=args.by), cohorts.MEMBER_COLUMNS
        else:
            rows, columns = cohorts.stations(con, by=args.by), cohorts.STATION_COLUMNS
    finally:
        con.close()
    digits = {"active_rate": 6, "active_or_after_rate": 6, "survival": 6, "gmv": 2, "gmv_per_member_cum": 4,
              "members_per_station": 4, "gmv_per_station": 4}

    def cell(name, value):
        if value is None:
            return None
        if name in digits:
            return round(value, digits[name])
        return value.isoformat()[:7] if name == "cohort_month" else value

    out = [{c: cell(c, r[c]) for c in columns} for r in rows]
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        for r in out:
            w.writerow(csvsafe.row("" if r[c] is None else ("true" if r[c] is True else "false" if r[c] is False
                                                              else r[c]) for c in columns))
    return 0


def _read_password(args) -> str:
    """The new password: one line of standard input with --password-stdin (scripts), else asked twice without
    echo. It is hashed at once and never printed, logged or written anywhere."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise NorthstarError("no_terminal")
    first = getpass.getpass(f"new password for {args.user_id}: ")
    if getpass.getpass("the same again: ") != first:
        raise NorthstarError("passwords_differ")
    return first


def cmd_users(args) -> int:
    import getpass

    from pipelines.plan.access import hash_password
    from pipelines.plan.store import PlanStore, read_plan, store_path

    db = paths.db_path(args.db)
    path = store_path(db)
    plan = read_plan(db)
    if plan is None:
        raise NorthstarError("store_missing_access", path=str(path))
    access = plan.access
    by = f"cli:{getpass.getuser()}"
    if args.action == "list":
        with PlanStore(path, read_only=True) as store:
            accounts = set(store.accounts.ids())
        print(f"auth: {access.auth}{'' if access.configured else ' (no access.yaml)'}; {len(access.users)} people")
        print(f"{'id':<24} {'role':<12} {'scope':<12} {'pii':<4} {'account':<8} name")
        for u in access.users:
            scope = u.war_zone or u.center or "all"
            print(f"{u.id:<24} {u.role:<12} {scope:<12} {'yes' if u.pii else 'no':<4} "
                  f"{'yes' if u.id.casefold() in accounts else 'no':<8} {u.name}")
        return 0
    user = access.user(args.user_id)
    if user is None and args.action not in ("remove", "unbind", "unlock"):
        raise NorthstarError("user_not_listed", user=args.user_id)
    with PlanStore(path) as store:
        if args.action == "unlock":
            had = store.accounts.unlock(args.user_id, by)
            print(f"{args.user_id} unlocked: " + ("their run of failed sign-ins is over; they can sign in now." if had
                                                 else "it was not locked (no failed sign-ins in a row)."))
            return 0
        if args.action == "unbind":
            if not store.accounts.unbind_identity(args.user_id):
                raise NorthstarError("user_not_bound", user=args.user_id)
            store.runs.audit(by, "account", f"unbind {args.user_id.casefold()}")
            print(f"{args.user_id} unbound: their next sign-in through the identity provider binds the account "
                  "it comes from.")
            return 0
        if args.action == "remove":
            store.accounts.remove_account(args.user_id, by)
            print(f"account {args.user_id} removed: they can no longer sign in with a password.")
            return 0
        hashed = hash_password(_read_password(args))
        store.accounts.set_password(user.id, hashed, by, reset=args.action == "reset")
    what = "password reset" if args.action == "reset" else "account added"
    print(f"{what} for {user.label()}, {user.role}; they sign in with the id {user.id}.")
    if access.auth != "password":
        print(f"note: access.yaml says auth: {access.auth}; passwords are asked only with auth: password.")
    return 0


def _option(flag: str, metavar: str, help: str) -> argparse.ArgumentParser:
    """A parent parser holding one location option with its one help text, shared by every command that takes it
    (argparse parents), so `--db` says the same in each command's --help."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(flag, metavar=metavar, help=help)
    return parent


def _sample_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines sample`."""
    s = sub.add_parser("sample", help="generate deterministic synthetic data and a matching plan",
                       description="Generate the sample company's raw data (DIR/raw/) and plan (DIR/config/). "
                                   "Same seed, same bytes.",
                       epilog="example: python -m pipelines sample --size tiny --out /tmp/ns")
    from pipelines.warehouse.sample import SIZES

    s.add_argument("--size", choices=list(SIZES), default="small",
                   help="tiny ≈ 60 stations / 3k members / 30k orders; small (default) 2.5k / 500k / 5M; "
                        "medium 8k / 2M / 25M; large 20k / 10M / 100M; xlarge 20k / 10M / 300M (orders in files "
                        "of 25M)")
    s.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    s.add_argument("--out", metavar="DIR", help="output folder for raw/ and config/ (default: data/raw and data/config,"
                                                " or NORTHSTAR_RAW and NORTHSTAR_CONFIG)")
    s.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="raw file format (default parquet)")
    s.add_argument("--if-missing", action="store_true", help="do nothing when the raw folder already has files")
    s.set_defaults(func=cmd_sample)


def _build_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines build`."""
    raw = shared.raw
    config = shared.config
    db = shared.db
    b = sub.add_parser("build", parents=[raw, config, db], help="raw data + plan -> warehouse, atomically",
                       description="Validate the raw tables, quarantine bad rows in `rejects`, run the SQL models "
                                   "and swap the new warehouse in atomically. A failed build leaves the previous "
                                   "warehouse untouched.",
                       epilog="example: python -m pipelines build --raw ~/exports --db /tmp/ns.duckdb")
    b.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the date the data was extracted; rows dated later are rejected "
                        "(default: NORTHSTAR_AS_OF, else today)")
    b.add_argument("--if-missing", action="store_true", help="do nothing when the warehouse exists")
    b.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    b.add_argument("--allow-shrink", action="store_true",
                   help="replace the warehouse even if a table would be empty or lose more than half its rows, or "
                        "most of a table's rows would be rejected (refused otherwise: the previous warehouse stays)")
    b.add_argument("--incremental", action="store_true",
                   help="read only raw files added since the last build (new days of orders, members, stations) and "
                        "refresh the warehouse from the first date they touch; anything else changed → a full build")
    b.add_argument("--brief", action="store_true",
                   help="once the build succeeds, send every channel's morning brief (channels.yaml); when it fails, "
                        "one line to the channels with alerts: [build_failed] and nothing to the others")
    b.add_argument("--alerts", action="store_true",
                   help="once the build succeeds, tell the channels with alerts: [status_worse] which war zones' or "
                        "key results' statuses got worse since their last brief")
    b.set_defaults(func=cmd_build)


def _pull_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines pull`."""
    raw = shared.raw
    pu = sub.add_parser("pull", parents=[raw], help="new and changed rows of the company's database → the raw folder "
                                                    "(sources.yaml)",
                        description="For each table of the source(s) in sources.yaml (plan folder): read the rows "
                                    "whose watermark column is at or after the last pull's highest value, "
                                    "write the new "
                                    "ones to one Parquet file per pull (<table>-<source>-<UTC time>.parquet) and put "
                                    "changed ones (a refund, a closing) in place of the rows they change. The "
                                    "connection string comes from the environment variable the source names.",
                        epilog="examples:\n  NORTHSTAR_ERP_URL=postgresql://… python -m pipelines pull --source erp\n"
                               "  python -m pipelines pull --source erp --table orders --full   # every row again",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    pu.add_argument("--source", metavar="ID", help="the source of sources.yaml (default: every source)")
    pu.add_argument("--table", choices=["stations", "members", "orders"], help="only this table")
    pu.add_argument("--full", action="store_true", help="read every row again and replace the source's earlier "
                    "files (after rows were deleted in the database, or a watermark went wrong)")
    pu.add_argument("--config", metavar="DIR", help="plan folder with sources.yaml (default data/config or "
                    "NORTHSTAR_CONFIG)")
    pu.add_argument("--db", metavar="PATH", help="warehouse file; the watermarks live in the plan store beside it "
                    "(default data/warehouse.duckdb or NORTHSTAR_DB)")
    pu.set_defaults(func=cmd_pull)


def _refresh_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines refresh`."""
    raw = shared.raw
    config = shared.config
    db = shared.db
    rf = sub.add_parser("refresh", parents=[raw, config, db],
                        help="pull every source, build incrementally, send the briefs: one command for a timer",
                        description="The nightly job: pull every source of sources.yaml, build --incremental (a "
                                    "full build when needed), then send every channel's brief (channels.yaml). Two "
                                    "refreshes never overlap (a lock beside the warehouse). A step that fails stops "
                                    "the rest with one line and exit code 2; the previous warehouse keeps serving.",
                        epilog="example (cron, 06:30):\n  30 6 * * * cd /srv/northstar && .venv/bin/python -m "
                               "pipelines refresh",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    rf.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="the data's as-of date (default: NORTHSTAR_AS_OF, else today)"
    )
    rf.add_argument("--no-brief", action="store_true", help="pull and build only")
    rf.add_argument("--quiet", action="store_true", help="no build progress lines")
    rf.set_defaults(func=cmd_refresh)


def _backtest_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines backtest`."""
    db = shared.db
    bt = sub.add_parser("backtest", parents=[db], help="replay past months: how far the day-N forecast missed, "
                                                       "straight line vs "
                                         "the month's shape, and the 80%% band's coverage",
                        description="For every complete month whose same month a year earlier is in the data: the "
                                    "month-end forecast made on day N by the straight line and by the month's shape "
                                    "(learned from the history before that month only), against what happened, for "
                                    "the company and each war zone: mean absolute percentage error of each, and how "
                                    "often the truth fell inside the 80%% band.",
                        epilog="examples:\n  python -m pipelines backtest --day 10\n"
                               "  python -m pipelines backtest --day 20 --format json --db data/warehouse.duckdb",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    bt.add_argument("--day", type=int, default=10, choices=range(1, 29), metavar="N",
                    help="the day of the month the forecast is made (1–28, default 10)")
    bt.add_argument("--format", choices=["table", "json"], default="table", help="output format (default table)")
    bt.set_defaults(func=cmd_backtest)


def _brief_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines brief`."""
    db = shared.db
    br = sub.add_parser("brief", parents=[db], help="send the morning brief (board picture + a few lines) to "
                                                    "WeCom, DingTalk, "
                                      "Feishu or email",
                        description="Render the board for a channel of channels.yaml (its `as:` person's view, its "
                                    "language), write the summary, and send both; remembered in the plan store so "
                                    "the next brief says what changed. Webhook URLs and secrets come from the "
                                    "environment variables channels.yaml names.",
                        epilog="examples:\n  python -m pipelines brief --channel hq-wecom\n"
                               "  python -m pipelines brief --all --dry-run /tmp/brief     # write, do not send\n"
                               "  python -m pipelines brief --alerts                        # only what got worse",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    which = br.add_mutually_exclusive_group(required=True)
    which.add_argument("--channel", metavar="ID", help="the channel of channels.yaml")
    which.add_argument("--all", action="store_true", help="every channel (one that fails does not stop the others)")
    which.add_argument("--alerts", action="store_true",
                       help="the channels with alerts: [status_worse]: a short message if a status got worse")
    br.add_argument("--month", metavar="YYYY-MM", help="the month (default: the month of the data's last date)")
    br.add_argument("--as-of", metavar="YYYY-MM-DD", type=_date, help="the last day counted (default: the data's "
                    "last date)")
    br.add_argument("--config", metavar="DIR", help="plan folder with channels.yaml (default data/config or "
                    "NORTHSTAR_CONFIG)")
    br.add_argument("--dry-run", metavar="DIR", help="write the picture, the summary and the messages to "
                                                     "DIR/<channel>/ "
                    "instead of sending (no webhook needed; nothing is remembered)")
    br.set_defaults(func=cmd_brief)


def _tree_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines tree`."""
    db = shared.db
    t = sub.add_parser("tree", parents=[db], help="the goal tree for a month: target, actual, pace, forecast, "
                                                  "status per node",
                       description="Every node of the goal tree (company → war zones → teams → people, and the "
                                   "centers) with target, actual, expected, pace, forecast, required per day and "
                                   "status, plus the north star. Reads the warehouse and the plan store beside it.",
                       epilog="examples:\n  python -m pipelines tree --month 2026-11 --format table\n"
                              "  python -m pipelines tree --month 2026-10 --as-of 2026-10-15 --format json --lang zh\n"
                              "  python -m pipelines tree --month 2026-11 --format xlsx --lang zh --out tree.xlsx",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--month", metavar="YYYY-MM", required=True, help="the month of the targets")
    t.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the last day counted (default: the last date in the data; within the month, or after it "
                        "once the month is over)")
    t.add_argument("--format", choices=["table", "json", "csv", "xlsx"], default="table",
                   help="output format (default table); xlsx: an Excel workbook, one sheet per level")
    t.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="language of node names in JSON and of the workbook (default en)")
    t.add_argument("--out", metavar="FILE", help="write the xlsx workbook here (instead of standard output)")
    t.add_argument("--as", dest="as_user", metavar="USER_ID",
                   help="as this person of access.yaml would see it (a zone lead: every zone's totals, the teams "
                        "and people of their own zone only)")
    t.add_argument("--planned", action="store_true",
                   help="judge the month against its targets as they stood on its first day (a target changed "
                        "after the month began is listed under revisions in the JSON either way)")
    t.set_defaults(func=cmd_tree)


def _cohorts_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines cohorts`."""
    db = shared.db
    c = sub.add_parser("cohorts", parents=[db], help="member retention or station cohorts as a table (CSV or JSON)",
                       description="Member cohorts (joined in a month, not refunded as of the data's last date D): "
                                   "size, active in month k, active on or after k, paid GMV and GMV per member so "
                                   "far, per cohort month and month index. Station cohorts (opened in a month): "
                                   "open, survival, members and GMV per station by age. `complete` is false for "
                                   "D's month unless D is its last day. Reads the cohort marts of the warehouse.",
                       epilog="examples:\n  python -m pipelines cohorts --kind members --by war_zone\n"
                              "  python -m pipelines cohorts --kind stations --format json",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("--kind", choices=["members", "stations"], default="members", help="which cohorts (default members)")
    c.add_argument("--by", choices=["war_zone", "team", "center", "channel", "tier", "province"],
                   help="a breakdown: one group per value (members: any; stations: war_zone, team, province)")
    c.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
    c.add_argument("--as", dest="as_user", metavar="USER_ID", help="refused unless this person may read cohorts")
    c.set_defaults(func=cmd_cohorts)


def _import_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines import`."""
    raw = shared.raw
    config = shared.config
    db = shared.db
    im = sub.add_parser("import", parents=[raw, config, db],
                        help="load your own exports: check them, then replace (or --add to) those tables' files and "
                             "rebuild",
                        description="Tells which table each file is (from its name or columns), checks it against "
                                    "the data contract with a trial build, and shows the rows that would be loaded "
                                    "and rejected. Without --dry-run it then replaces those tables' files in the "
                                    "raw folder (the previous ones kept in raw/.backup-<time>/) and rebuilds. A "
                                    "file with a problem changes nothing.",
                        epilog="examples:\n  python -m pipelines import ~/exports/orders-2026-11.xlsx --dry-run\n"
                               "  python -m pipelines import 会员.csv 订单.csv",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    im.add_argument("files", nargs="+", metavar="FILE", help="CSV (UTF-8 or GB18030), XLSX or Parquet exports")
    im.add_argument("--dry-run", action="store_true", help="only check and report; change nothing")
    im.add_argument("--add", action="store_true",
                    help="add the files beside the table's current files (orders of one more day) instead of "
                         "replacing them; a current file of the same name is still replaced")
    im.add_argument("--allow-shrink", action="store_true",
                    help="import even if a table would be empty or lose more than half its rows (refused otherwise)")
    im.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date the data was extracted (default today)")
    im.set_defaults(func=cmd_import)


def _plan_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines plan`."""
    config = shared.config
    pl = sub.add_parser("plan", help="the plan store: import config files, export the current plan, history",
                        description="The plan store (beside the warehouse, e.g. data/warehouse.plan.sqlite) holds "
                                    "targets, key actions, key results and check-ins with their history. Every "
                                    "build imports the config files that changed; these commands do it by hand.",
                        epilog="examples:\n  python -m pipelines plan history --limit 5\n"
                               "  python -m pipelines plan export --out /tmp/plan",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    psub = pl.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    pi = psub.add_parser("import", parents=[config], help="check and import the config files that changed since "
                                                          "the last import",
                         epilog="example: python -m pipelines plan import --config ~/plan")
    pi.add_argument("--db", metavar="PATH", help="warehouse beside which the store lives (default data/"
                                                 "warehouse.duckdb "
                                                 "or NORTHSTAR_DB)")
    pi.add_argument("--force", action="store_true", help="import every file, changed or not")
    pi.set_defaults(func=cmd_plan_import)
    pe = psub.add_parser("export", help="write the current plan as org.yaml, goals.yaml, targets.csv",
                         epilog="example: python -m pipelines plan export --out /tmp/plan")
    pe.add_argument("--out", metavar="DIR", required=True, help="folder to write the files into")
    pe.add_argument("--db", metavar="PATH", help="warehouse beside which the store lives")
    pe.set_defaults(func=cmd_plan_export)
    ph = psub.add_parser("history", help="the latest changes: who, when, what",
                         epilog="example: python -m pipelines plan history --limit 5 --db data/own.duckdb")
    ph.add_argument("--db", metavar="PATH", help="warehouse beside which the store lives")
    ph.add_argument("--limit", type=int, default=20, help="how many changes (default 20)")
    ph.set_defaults(func=cmd_plan_history)


def _users_command(sub, shared: SimpleNamespace) -> None:
    """`python -m pipelines users`."""
    us = sub.add_parser("users", help="password accounts of the people in access.yaml: add, reset, remove, list",
                        description="With auth: password in access.yaml, people sign in with their id and a password. "
                                    "The password is stored as a salted argon2id hash in the plan store (never in a "
                                    "file, never printed). The person must be listed in access.yaml first.",
                        epilog="examples:\n  python -m pipelines users add lead-north\n"
                               "  printf '%s\\n' \"$PW\" | python -m pipelines users reset lead-north "
                               "--password-stdin\n"
                               "  python -m pipelines users list",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    us.add_argument("action", choices=["add", "reset", "remove", "list", "unbind", "unlock"],
                    help="unbind: forget the identity provider account bound to the person (they moved accounts); "
                         "unlock: end a lock-out someone caused by guessing")
    us.add_argument("user_id", nargs="?", metavar="USER_ID", help="an id from access.yaml (not for list)")
    us.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    us.add_argument("--db", metavar="PATH", help="warehouse beside which the plan store lives")
    us.set_defaults(func=cmd_users)


def parser() -> argparse.ArgumentParser:
    """The command line: the options commands share (argparse parents), then one function per command."""
    raw = _option("--raw", "DIR", "raw folder (default data/raw or NORTHSTAR_RAW)")
    config = _option("--config", "DIR", "plan folder (default data/config or NORTHSTAR_CONFIG)")
    db = _option("--db", "PATH", "warehouse file (default data/warehouse.duckdb or NORTHSTAR_DB)")
    p = argparse.ArgumentParser(prog="python -m pipelines", description="Northstar's data pipeline.",
                                epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--debug", action="store_true", help="show the full traceback of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shared = SimpleNamespace(raw=raw, config=config, db=db)
    for command in (_sample_command, _build_command, _pull_command, _refresh_command, _backtest_command,
                    _brief_command, _tree_command, _cohorts_command, _import_command, _plan_command, _users_command):
        command(sub, shared)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "func", None) is cmd_users and args.action != "list" and not args.user_id:
        parser().error(f"users {args.action} needs a USER_ID")
    try:
        return args.func(args)
    except NorthstarError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:          # the reader (head, less) stopped reading: nothing went wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - last resort: one clear line, details on request
        if args.debug or os.environ.get("NORTHSTAR_DEBUG"):
            traceback.print_exc()
        print(f"error: unexpected {type(exc).__name__}: {exc}\n(run again with --debug for the details)",
              file=sys.stderr)
        return 1
