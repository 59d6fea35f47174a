"""The first view of a new warehouse, worked out before anyone asks (issue 37): a thread of the app's process looks at
the warehouse file every `NORTHSTAR_WARMUP_SECONDS` (default 60; 0: never) and, when it sees a version it has not
warmed — the server's first, or the one a nightly refresh swapped in — reads each page's default view through the
pages' own cached readers (ui/data.py), with the very arguments the pages pass. The reader who opens the board at
08:00 finds it computed; a reader who opens it while the warm-up runs waits for the same computation (Streamlit's
cache computes one key once), never for two.

What is warmed, per warehouse version: the sidebar's dates; the goal tree of the data's last month as of its last
day (the board, the war-zone and centers pages); every war zone's page; the Plan page's org; the cohorts and growth
pages' defaults; the Data page's report for today. Each read's failure is logged and the others go on: a warm-up
never stops the app, and a page that fails says so itself when someone opens it.
"""
from __future__ import annotations

import logging
import os
import threading
import time

log = logging.getLogger("northstar.warmup")
if not log.handlers:        # said in the server's log beside Streamlit's own lines
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)

_started: set[str] = set()
_lock = threading.Lock()
warmed: dict[str, tuple] = {}          # db → (the versions last warmed, when)


def interval() -> float:
    try:
        return max(0.0, float(os.environ.get("NORTHSTAR_WARMUP_SECONDS", "60")))
    except ValueError:
        return 60.0


def start(db: str) -> None:
    """Starts the warm-up thread for `db` once per process (dashboard.py calls it on every page run)."""
    if interval() <= 0:
        return
    with _lock:
        if db in _started:
            return
        _started.add(db)
    threading.Thread(target=_watch, args=(db,), name="northstar-warmup", daemon=True).start()


def _watch(db: str) -> None:
    from ui import data

    every = interval()
    while True:
        try:
            version = data.versions(db)        # the warehouse's and the plan's, as the pages key their reads
        except Exception:   # noqa: BLE001 - a warm-up never stops the app
            version = None
        last = warmed.get(db)
        # a new version, or the last warm-up's reads about to leave the cache (ui.data.KEEP_SECONDS)
        due = last is None or last[0] != version or time.monotonic() - last[1] > data.KEEP_SECONDS - 10 * every
        if version is not None and version[0] is not None and due:
            started = time.perf_counter()
            done = warm(db)
            warmed[db] = (version, time.monotonic())
            log.info("warmed %s: %d views in %.2f s", db, done, time.perf_counter() - started)
        time.sleep(every)


def views(db: str) -> list[tuple[str, object]]:
    """(name, function) of each default view's read, in the order a morning's readers open them."""
    from pipelines.base.months import month_of
    from ui import data
    from ui import setup as us

    v = data.versions(db)
    _, last = us.data_dates(db, v)
    if last is None:
        return []
    month = month_of(last)
    out = [("board", lambda: data.goal_tree(db, month, last, v, False))]

    def zones():
        tree = data.goal_tree(db, month, last, v, False)
        for n in tree.nodes:
            if n.level == "war_zone":
                data.node_view(db, tree.month, tree.as_of, n.id, v)

    def cohorts():
        opts = data.cohort_options(db, v)
        months = opts["months"]
        if months:
            start, end = months[max(0, len(months) - 12)], months[-1]
            data.cohort_rows(db, "members", None, (), start, end, v)
            data.cohort_rows(db, "stations", None, (), start, end, v)

    def plan():
        from pipelines.okr import decompose

        data.plan_basis(db, None, v)
        data.plan_basis(db, decompose.plan_months(last)[1], v)      # the Plan page opens on the next month

    out += [("war zones", zones), ("plan", plan), ("cohorts", cohorts),
            ("growth", lambda: [data.growth_data(db, (), False, v, pii) for pii in (False, True)]),
            ("data", lambda: data.data_report(db, us.today(), v))]
    return out


def warm(db: str) -> int:
    """Reads every default view of the warehouse `db` as it is now; returns how many were read."""
    done = 0
    try:
        todo = views(db)
    except Exception:       # noqa: BLE001 - a warm-up never stops the app; the page says what is wrong
        log.warning("warm-up of %s could not start", db, exc_info=True)
        return 0
    for name, read in todo:
        try:
            read()
            done += 1
        except Exception:   # noqa: BLE001 - as above: the next view is still worth warming
            log.warning("warm-up of %s: %s failed", db, name, exc_info=True)
    return done
