"""Loading a company's own exports: which table each file is, what a build would load and reject, and — only
when asked — replacing those tables' raw files and rebuilding, keeping the previous files as a backup.

    check(files, raw, config, as_of)  → ImportReport (nothing changes: a trial build in a temporary folder)
    apply(report, raw, config, db)    → BuildResult (the previous files go to raw/.backup-YYYYmmdd-HHMMSS/)

A file that cannot be read, whose table cannot be told, or that misses a required column is a problem of the
report, and `apply` refuses a report with problems. If the real build fails the previous files are put back, so
the raw folder and the warehouse keep the last good data.
"""
from __future__ import annotations

import codecs
import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.base import paths as default_paths
from pipelines.base.errors import NorthstarError
from pipelines.base.labels import LABELS, Words
from pipelines.base.progress import Progress
from pipelines.warehouse import build as build_mod
from pipelines.warehouse import contract, freshness

# Names people give exports, beyond the contract's English table names.
ALIASES = {"stations": ("驿站", "站点", "station"), "members": ("会员", "member"), "orders": ("订单", "order")}


@dataclass
class Incoming:
    path: Path                 # the file as given (an upload is first saved to a temporary folder)
    name: str                  # the name a person knows it by
    table: str | None = None
    how: str = ""              # "name" or "columns"
    problem: str | None = None


@dataclass
class ImportReport:
    files: list[Incoming]
    problems: list[str] = field(default_factory=list)
    result: build_mod.BuildResult | None = None      # the trial build, when there was no problem
    previews: dict[str, list[dict]] = field(default_factory=dict)   # file name → first rows
    examples: list[dict] = field(default_factory=list)   # rejected rows of the incoming files: file, line, reason
    shrink: list[str] = field(default_factory=list)      # what the import would lose (asks for a confirmation)
    add: bool = False            # add the files beside the tables' current ones instead of replacing them
    replaced: list[str] = field(default_factory=list)    # the current raw files the import would move to the backup
    kept: list[str] = field(default_factory=list)        # the current raw files of those tables it would keep
    targets: dict[str, str] = field(default_factory=dict)   # a file's name in the raw folder, when not its own
    how: str = "full"            # "incremental": checked against the warehouse; "full": a trial of every file

    @property
    def ok(self) -> bool:
        """Checked, and nothing stands in the way of importing."""
        return not self.problems and self.result is not None

    def counts(self) -> list[dict]:
        """Per incoming file: table, rows read / loaded / rejected in the trial build."""
        if self.result is None:
            return []
        by_file = {f["file"]: f for f in self.result.files}
        out = []
        for inc in self.files:
            f = by_file.get(self.targets.get(inc.name, _target_name(inc)))
            if f:
                out.append({"file": inc.name, "table": inc.table, "read": f["read"], "loaded": f["loaded"],
                            "rejected": f["rejected"]})
        return out


def _columns(path: Path) -> list[str]:
    """The header of a raw file (lower-cased, trimmed), or raises NorthstarError saying why it cannot be read."""
    fmt = contract.FORMATS.get(path.suffix.lower())
    try:
        if fmt == "csv":
            head = path.read_bytes()[:65536]
            for enc in ("utf-8-sig", "gb18030"):
                try:      # incremental: the 64 KB may end inside a character
                    text = codecs.getincrementaldecoder(enc)().decode(head, final=len(head) < 65536)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise NorthstarError("file_not_text", name=path.name)
            first = text.splitlines()[0] if text.strip() else ""
            import csv
            return [c.strip().lower() for c in next(csv.reader([first]), [])]
        if fmt == "parquet":
            with duckdb.connect() as con:
                return [r[0].strip().lower() for r in con.execute(
                    "describe select * from read_parquet(?)", [str(path)]).fetchall()]
        if fmt == "xlsx":
            import openpyxl

            from pipelines.warehouse.ingest import xlsx_guard

            xlsx_guard(path)        # a zip bomb is refused before it is opened
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                row = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ())
            finally:
                wb.close()
            return [str(c).strip().lower() for c in row if c is not None]
    except NorthstarError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader error becomes one sentence about the file
        raise NorthstarError("file_unreadable", name=path.name, fmt=fmt, err=str(exc).splitlines()[0]) from None
    raise NorthstarError("file_wrong_type", name=path.name)


def detect(path: Path, name: str | None = None) -> Incoming:
    """Which table a file is: from its name (stations*, members*, orders*, or 驿站/会员/订单), else from its
    columns (the table whose required columns it has)."""
    inc = Incoming(path=Path(path), name=name or Path(path).name)
    if Path(inc.name).suffix.lower() not in contract.FORMATS:
        inc.problem = Words("file_wrong_type", name=inc.name)
        return inc
    try:
        columns = _columns(inc.path)
    except NorthstarError as exc:
        inc.problem = Words(exc.code, **exc.values) if exc.code in LABELS else str(exc)
        return inc
    named = contract.table_for(Path(inc.name))
    if named is None:
        stem = Path(inc.name).stem.lower()
        named = next((t for t, words in ALIASES.items() if any(w in stem for w in words)), None)
    if named:
        inc.table, inc.how = named, "name"
    else:
        fits = [t for t, table in contract.TABLES.items() if all(c in columns for c in table.required)]
        if len(fits) == 1:
            inc.table, inc.how = fits[0], "columns"
        else:
            inc.problem = Words("file_which_table", name=inc.name)
            return inc
    missing = [c for c in contract.TABLES[inc.table].required if c not in columns]
    if missing:
        inc.problem = Words("file_lacks_columns" if len(missing) > 1 else "file_lacks_column", name=inc.name,
                            table=inc.table, columns=", ".join(missing), found=", ".join(columns[:12]) or "none")
    return inc


def _target_name(inc: Incoming) -> str:
    """The file's name in the raw folder: kept when it starts with its table's name, else table-<name>."""
    name = Path(inc.name).name
    return name if contract.table_for(Path(name)) == inc.table else f"{inc.table}-{name}"


DAY = re.compile(r"(?<!\d)(20\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


def one_days_file(name: str) -> bool:
    """The file's name says it holds one day's rows (orders-2026-11-25.csv, members_20261125.xlsx): the Data page
    then adds it beside the table's other files by default instead of replacing them."""
    return DAY.search(Path(name).stem) is not None


def _added_name(inc: Incoming, current: list[Path], stamp: str) -> str:
    """The name an added file takes in the raw folder: its own when that sorts after the table's current files
    (orders-2026-11-25.csv after orders-2026-11-24.csv) or when it replaces a file of that name, else
    `<table>_added-<stamp>-<name>` — a table's files are
    read in name order and the first row of an id wins, so an added file must come last, or its rows would push out
    rows already loaded (and the next refresh could not be incremental)."""
    name = _target_name(inc)
    names = [p.name for p in current]
    same = [n for n in names if given_name(n) == name]
    if same:                 # a corrected file in place of one of the same name: it takes its place (a full build)
        return same[0]
    return name if name > max(names, default="") else f"{inc.table}_added-{stamp}-{name}"


def _preview(inc: Incoming, rows: int = 5) -> list[dict]:
    fmt = contract.FORMATS.get(Path(inc.name).suffix.lower())
    try:
        with duckdb.connect() as con:
            if fmt == "parquet":
                df = con.execute("select * from read_parquet(?) limit ?", [str(inc.path), rows]).df()
            elif fmt == "csv":
                df = con.execute("select * from read_csv(?, all_varchar = true, header = true) limit ?",
                                 [str(inc.path), rows]).df()
            else:
                import pandas as pd

                from pipelines.warehouse.ingest import xlsx_guard

                xlsx_guard(inc.path)
                df = pd.read_excel(inc.path, nrows=rows, dtype=str)
        records = df.astype(str).to_dict("records")
    except Exception:  # noqa: BLE001 - a preview is a courtesy; the trial build says what is wrong
        return []
    # personal data leaves masked: the preview shows a phone as 138****1234 (pipelines.base.privacy)
    from pipelines.base.privacy import mask_phone

    return [{k: (mask_phone(v) if k.strip().lower() == "phone" else v) for k, v in r.items()} for r in records]


def _replaced(incoming: list[Incoming], current: dict[str, list[Path]], add: bool) -> tuple[list[Path], list[Path]]:
    """(the current files an import would replace, those of the same tables it would keep): replacing, every file
    of the incoming tables; adding, only a file with the same name as an incoming one."""
    tables = {i.table for i in incoming}
    names = {_target_name(i) for i in incoming}
    mine = [p for t in sorted(tables) for p in current.get(t, [])]
    gone = [p for p in mine if not add or given_name(p.name) in names]
    return gone, [p for p in mine if p not in gone]


ADDED = re.compile(r"^[a-z]+_added-\d{8}-\d{6}-")


def given_name(raw_name: str) -> str:
    """The name a file was uploaded as, from its name in the raw folder (`_added_name` may have put a prefix on
    it so that it sorts last)."""
    return ADDED.sub("", raw_name)


def check(files: list[tuple[Path, str]] | list[Path], raw: Path, config: Path,
          as_of: str | dt.date | None = None, db: Path | None = None, add: bool = False) -> ImportReport:
    """What importing these files would do, by a trial build in a temporary folder (the other tables' current
    files with them; with `add`, also the incoming tables' current files, but for one of the same name). Nothing
    in `raw` or the warehouse changes; the report says which current files would be replaced."""
    incoming = [detect(*f) if isinstance(f, tuple) else detect(f) for f in files]
    report = ImportReport(files=incoming, problems=[i.problem for i in incoming if i.problem], add=add)
    if not incoming:
        report.problems.append(Words("no_files_given"))
    if report.problems:
        return report
    raw = Path(raw)
    tables = {i.table for i in incoming}
    db_now = Path(db) if db is not None else default_paths.db_path()
    if add and _can_add_in_place(raw, db_now):
        return _check_added(report, incoming, raw, config, as_of, db_now)
    with tempfile.TemporaryDirectory(prefix="northstar-import-") as tmp:
        trial = Path(tmp) / "raw"
        trial.mkdir()
        current = contract.discover(raw) if raw.is_dir() else {}
        gone, kept = _replaced(incoming, current, add)
        report.replaced, report.kept = [p.name for p in gone], [p.name for p in kept]
        for table, paths in current.items():
            for p in paths:
                if table not in tables or p in kept:
                    shutil.copy2(p, trial / p.name)
        for inc in incoming:
            shutil.copy2(inc.path, trial / _target_name(inc))
            report.previews[inc.name] = _preview(inc)
        try:
            report.result = build_mod.build(raw=trial, config=config, db=Path(tmp) / "trial.duckdb", as_of=as_of,
                                            quiet=True, allow_shrink=True,   # the report, whatever it holds
                                            rows_only=True)                  # rows loaded and rejected: no marts
        except NorthstarError as exc:
            report.problems.append(_trial_problem(exc, {str(trial) + "/": ""}))
            return report
        # the rows that would be rejected, by the name the person gave the file: before anything changes
        names = {_target_name(i): i.name for i in incoming}
        with duckdb.connect(str(Path(tmp) / "trial.duckdb"), read_only=True) as con:
            report.examples = [{**e, "file": names[e["file"]]} for e in
                               freshness.reject_examples(con, per_reason=5, tables=tuple(tables))
                               if e["file"] in names]
    return _judge(report, db_now)


def _judge(report: ImportReport, db_now: Path) -> ImportReport:
    """What the trial's counts mean: what the import would lose against the warehouse it replaces (the reader
    confirms it or nothing happens), and a file none of whose rows would load."""
    report.shrink = build_mod.shrink_problems(build_mod._previous_counts(db_now), report.result)
    for c in report.counts():
        if c["read"] and not c["loaded"]:       # replacing a table with nothing would empty the board
            reasons = [f"{n:,} {code}" for t, code, n in sorted(report.result.reasons, key=lambda r: (-r[2], r[1]))
                       if t == c["table"]]
            report.problems.append(Words("file_none_loaded", name=c["file"], read=c["read"],
                                         reasons=", ".join(reasons)))
    return report


def _trial_problem(exc: NorthstarError, names: dict[str, str]):
    """A trial build's failure as the report says it: its words, with the trial's folder and file names replaced
    by `names` (the names the person gave the files, nothing for the temporary folder)."""
    def plain(text: str) -> str:
        for trial_name, given in names.items():
            text = text.replace(trial_name, given)
        return text

    problem = Words(exc.code, **exc.values) if exc.code in LABELS else str(exc)
    return problem.map(plain) if isinstance(problem, Words) else plain(problem)


def _can_add_in_place(raw: Path, db: Path) -> bool:
    """Adding files can be checked against the warehouse itself (an incremental trial: only the new rows are read)
    when that warehouse was built from this raw folder."""
    if not db.exists() or not raw.is_dir():
        return False
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            built_from = con.execute("select raw_dir from build_info").fetchone()
    except duckdb.Error:
        return False
    return built_from is not None and Path(built_from[0]).resolve() == raw.resolve()


def _check_added(report: ImportReport, incoming: list[Incoming], raw: Path, config: Path, as_of,
                 db_now: Path) -> ImportReport:
    """`check` for files added beside the current ones, without reading the whole raw folder again (issue 36: a
    five-row file took 96 s): a copy of the warehouse refreshed incrementally with only the new files, stopping
    before the marts — the same staging and core models, the same rejects (an unknown station, a member id the
    warehouse already has), in the time the new rows take. The trial raw folder links to the current files (same
    size and time, so the refresh keeps them) and holds each new file under the name `apply` will give it, one
    that sorts after them (`_added_name`: rows already loaded stay first, as the nightly refresh keeps them); should
    the warehouse need a full build (rows held back last time, another org), the trial is a full one and says so
    by `how`."""
    tables = {i.table for i in incoming}
    current = contract.discover(raw)
    gone, kept = _replaced(incoming, current, True)
    report.replaced, report.kept = [p.name for p in gone], [p.name for p in kept]
    with tempfile.TemporaryDirectory(prefix="northstar-import-") as tmp:
        trial = Path(tmp) / "raw"
        trial.mkdir()
        for p in raw.iterdir():       # (not the sample's mark: an import makes the data yours, as `apply` does)
            if p.is_file() and p not in gone and not p.name.startswith("."):
                (trial / p.name).symlink_to(p.resolve())
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        for inc in incoming:
            name = _added_name(inc, current.get(inc.table, []), stamp)
            shutil.copy2(inc.path, trial / name)
            report.targets[inc.name] = name
            report.previews[inc.name] = _preview(inc)
        db_trial = Path(tmp) / "trial.duckdb"
        shutil.copyfile(db_now, db_trial)
        with duckdb.connect(str(db_trial)) as con:
            con.execute("update build_info set raw_dir = ?", [str(trial)])
        try:
            report.result = build_mod.build(raw=trial, config=config, db=db_trial, as_of=as_of, quiet=True,
                                            allow_shrink=True, rows_only=True, incremental=True)
        except NorthstarError as exc:
            report.problems.append(_trial_problem(exc, {**{v: k for k, v in report.targets.items()},
                                                        str(trial) + "/": ""}))
            return report
        report.how = "incremental" if report.result.mode == "incremental" else "full"
        names = {v: k for k, v in report.targets.items()}
        with duckdb.connect(str(db_trial), read_only=True) as con:
            report.examples = [{**e, "file": names[e["file"]]} for e in
                               freshness.reject_examples(con, per_reason=5, tables=tuple(tables))
                               if e["file"] in names]
    return _judge(report, db_now)


def check_seconds() -> int:
    """How long an upload's check may take in its own process (NORTHSTAR_CHECK_SECONDS, default 900)."""
    from pipelines.warehouse.ingest import env_number

    return env_number("NORTHSTAR_CHECK_SECONDS", 900)


def _as_uploaded(name: str, names: dict[str, str]) -> str:
    """The name a person uploaded a file as, from the name the trial gave its copy (`orders-本月导出.xlsx`)."""
    if name in names:
        return names[name]
    return next((given for given in names.values() if name.endswith(given)), name)


def check_command(args: Path, out: Path) -> list[str]:
    """The child process that checks an upload: this module run as a program on the pickled arguments."""
    import sys

    return [sys.executable, "-m", "pipelines.warehouse.importer", str(args), str(out)]


def check_apart(files: list[tuple[Path, str]], raw: Path, config: Path, as_of: str | dt.date | None = None,
                db: Path | None = None, add: bool = False, on_progress=None) -> ImportReport:
    """`check` in a process of its own (`python -m pipelines.warehouse.importer`), for the server: parsing a large or
    hostile upload cannot hold the server's interpreter while other people read their pages, and a check over
    check_seconds() is stopped with a sentence (a workbook has its own, tighter limits: ingest.xlsx_limits). The
    arguments and the report go through a private temporary folder."""
    import pickle
    import subprocess
    import time

    from pipelines.warehouse.ingest import PROGRESS_ENV, child_env, read_progress

    names = {Path(p).name: name for p, name in files}
    with tempfile.TemporaryDirectory(prefix="northstar-check-") as tmp:
        args, out, said = Path(tmp) / "args.pickle", Path(tmp) / "report.pickle", Path(tmp) / "progress"
        args.write_bytes(pickle.dumps((files, raw, config, as_of, db, add)))
        env = {**child_env(), PROGRESS_ENV: str(said)}      # a workbook's reader says how many rows it has read
        started = time.monotonic()
        try:
            with subprocess.Popen(check_command(args, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  encoding="utf-8", errors="replace") as child:
                while True:
                    try:
                        _, stderr = child.communicate(timeout=0.5)
                        break
                    except subprocess.TimeoutExpired:
                        if time.monotonic() - started > check_seconds():
                            child.kill()
                            child.communicate()
                            raise
                        got = read_progress(said)
                        if on_progress is not None:
                            on_progress(_as_uploaded(got[0], names) if got else None, got[1] if got else 0,
                                        time.monotonic() - started)
                proc = subprocess.CompletedProcess(child.args, child.returncode, "", stderr)
        except subprocess.TimeoutExpired:
            names = ", ".join(name for _, name in files)
            return ImportReport(files=[], problems=[Words("check_slow", names=names, seconds=check_seconds())])
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            return ImportReport(files=[], problems=[Words("check_crashed", err=tail)])
        return pickle.loads(out.read_bytes())


def apply(report: ImportReport, raw: Path, config: Path, db: Path, as_of: str | dt.date | None = None,
          progress: Progress | None = None, allow_shrink: bool = False, derive: build_mod.Derive | None = None
          ) -> tuple[build_mod.BuildResult, Path | None]:
    """Replaces the checked tables' raw files with the incoming ones (or, for a report made with `add`, only a
    file of the same name; the others stay) — the previous files moved to raw/.backup-<time>/ — and rebuilds `db`
    (with `derive`'s tables, build.build).
    On a failed build the previous files are put back and the error raised: the warehouse, built atomically, still
    holds the last good data. Returns (result, backup folder)."""
    if not report.ok:
        raise NorthstarError("import_unchecked", problems=list(report.problems))
    raw = Path(raw)
    raw.mkdir(parents=True, exist_ok=True)
    old, _ = _replaced(report.files, contract.discover(raw), report.add)
    if (raw / contract.SAMPLE_MARK).exists():     # the folder no longer holds just the sample: its data is yours
        old.append(raw / contract.SAMPLE_MARK)
    backup = None
    if old:
        backup = raw / f".backup-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
        backup.mkdir()
        for p in old:
            shutil.move(str(p), backup / p.name)
    placed = []
    try:
        for inc in report.files:
            target = raw / report.targets.get(inc.name, _target_name(inc))
            part = raw / f".{target.name}.part"
            shutil.copy2(inc.path, part)
            part.replace(target)                       # atomic within the folder
            placed.append(target)
        # added files: the refresh the check tried (only the new rows read; a full build where it must be)
        result = build_mod.build(raw=raw, config=config, db=db, as_of=as_of, progress=progress,
                                 allow_shrink=allow_shrink, incremental=report.add, derive=derive)
    except BaseException:
        for p in placed:
            p.unlink(missing_ok=True)
        if backup:
            for p in backup.iterdir():
                shutil.move(str(p), raw / p.name)
            backup.rmdir()
        raise
    return result, backup


if __name__ == "__main__":      # check_apart's child: python -m pipelines.warehouse.importer ARGS.pickle REPORT.pickle
    import pickle
    import sys

    from pipelines.warehouse import (
        importer as _importer,  # by its name, so the report pickles as pipelines.warehouse.importer's
    )

    _args, _out = Path(sys.argv[1]), Path(sys.argv[2])
    _out.write_bytes(pickle.dumps(_importer.check(*pickle.loads(_args.read_bytes()))))
