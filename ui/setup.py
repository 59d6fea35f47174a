"""App start-up: make sure a warehouse exists (generate and build the sample with visible progress if not), and
the shared sidebar's period (month, as-of) with sensible defaults."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import duckdb
import streamlit as st

from pipelines.base import paths
from pipelines.base.errors import NorthstarError
from pipelines.base.months import month_bounds, month_of, shift_month
from pipelines.base.progress import Progress
from pipelines.okr import goaltree, pacebuild
from pipelines.plan.access import User
from pipelines.warehouse import build as build_mod
from pipelines.warehouse import sample
from ui.i18n import error_text, fmt_date, fmt_month, lang, t, tm


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.iterdir())


def ensure_warehouse() -> Path:
    """The warehouse path; on first start (no warehouse) generates the sample and builds it, showing progress.

    The sample size is `NORTHSTAR_SAMPLE_SIZE` (default small). Existing raw files are built as they are, and an
    existing plan (org.yaml) is never overwritten by the sample's.
    """
    db = paths.db_path()
    if db.exists():
        return db
    raw, config = paths.raw_dir(), paths.config_dir()
    size = os.environ.get("NORTHSTAR_SAMPLE_SIZE", "small")
    start = time.perf_counter()
    with st.status(t("preparing"), expanded=True) as status:
        progress = Progress(sink=lambda line: status.write(line.strip()))
        try:
            if not _has_files(raw):
                keep_plan = (config / "org.yaml").exists()
                with tempfile.TemporaryDirectory() as spare:
                    sample.generate(size=size, seed=7, raw=raw, config=Path(spare) if keep_plan else config,
                                    progress=progress)
            build_mod.build(raw=raw, config=config, db=db, progress=progress, derive=pacebuild.derive)
        except NorthstarError as exc:
            status.update(state="error", label=t("prepare_failed", err=str(exc).splitlines()[0]))
            st.error(t("prepare_failed", err=exc) + "\n\n" + t("prepare_hint"))
            st.stop()
        status.update(state="complete", expanded=False, label=t("prepared", s=time.perf_counter() - start))
    from ui.data import pin

    pin(str(db))     # the run started before there was a warehouse: its reads are of the one just built
    return db


@st.cache_data(ttl=12 * 3600, max_entries=16, show_spinner=False)    # (ui.data.KEEP_SECONDS: the same reason)
def data_dates(db: str, versions: tuple) -> tuple[dt.date | None, dt.date | None]:
    """First and last date in the warehouse version the page run is pinned to (ui.data.versions)."""
    from ui.data import connect

    with connect(db, versions[0]) as con:
        return goaltree.data_dates(con)


def period_sidebar(db: Path) -> tuple[str, dt.date] | None:
    """Month (default: the month of the last date) and as-of (default: the last date; limited to the month)."""
    try:
        from ui.data import versions

        first, last = data_dates(str(db), versions(str(db)))
    except (duckdb.Error, NorthstarError) as exc:
        st.error(t("warehouse_unreadable", err=str(exc).splitlines()[0]))
        st.stop()
    if last is None:
        st.info(t("no_dates"))
        st.stop()
    last_month = month_of(last)
    st.session_state["latest_period"] = (last_month, last)
    months = []
    m = last_month
    first_month = month_of(first)
    while m >= first_month:
        months.append(m)
        m = shift_month(m, -1)
    # One widget per language: Streamlit keeps a keyed selectbox's option labels when only format_func's output
    # changes, so the English sidebar would go on showing 2026年11月. The chosen month carries over.
    key = f"month_{lang()}"
    if key not in st.session_state and st.session_state.get("month") in months:
        st.session_state[key] = st.session_state["month"]
    code = lang()   # bound now: a format_func called later (AppTest does) must not read the session's language
    month = st.sidebar.selectbox(t("month"), months, index=0, key=key, format_func=lambda m: fmt_month(m, code))
    st.session_state["month"] = month
    start, end = month_bounds(month)
    upper = min(end, last)
    # A list of the month's days (newest first), not a date picker: it speaks the reader's language (the picker's
    # month and weekday names are English) and a choice takes effect at once (a typed date waited for the focus
    # to leave). One widget per month and language; the choice carries over in `as_of_<month>_kept`.
    kept_key = f"as_of_{month}_kept"          # (a widget's state is dropped on a page without it: the Plan page)
    kept = st.session_state.get(kept_key)
    default = kept if kept is not None and start <= kept <= upper else upper
    days = [upper - dt.timedelta(days=i) for i in range((upper - start).days + 1)]
    key = f"as_of_{month}_{code}"
    if st.session_state.get(key) not in days:
        st.session_state[key] = default
    as_of = st.sidebar.selectbox(t("as_of"), days, key=key, help=t("as_of_help"),
                                 format_func=lambda d: fmt_date(d, code))
    st.session_state[kept_key] = as_of
    st.sidebar.caption(t("data_through", d=last.isoformat()))
    return month, as_of


def start_page() -> tuple[str, str, User]:
    """The start of every page: leave Streamlit's first-run mode and inject the CSS. Returns (language code,
    warehouse path, reader). The reader is read from the session here and nowhere else: the page hands it to the
    views and sections it draws (issue 34), so a view can be drawn for any person without a browser."""
    from ui import style
    from ui.auth import viewer
    from ui.data import db_file, pin
    from ui.v1guard import leave_v1

    leave_v1()   # before anything is drawn: see ui/v1guard.py
    style.inject(lang())
    db = db_file()
    pin(db)      # every read of this run is of the warehouse as it is now (a rebuild mid-run waits for the next)
    return lang(), db, viewer()


def today() -> dt.date:
    """Today in the company's time zone (at 01:00 in Beijing a server in UTC is still on yesterday), or
    `NORTHSTAR_TODAY` (YYYY-MM-DD) when set: a demo or a test on data from a fixed period."""
    from zoneinfo import ZoneInfo

    from ui.i18n import COMPANY_TZ

    value = os.environ.get("NORTHSTAR_TODAY")
    try:
        return dt.date.fromisoformat(value) if value else dt.datetime.now(ZoneInfo(COMPANY_TZ)).date()
    except ValueError:
        return dt.datetime.now(ZoneInfo(COMPANY_TZ)).date()


def open_page():
    """The start of a page that shows the goal tree: `start_page()` and the tree for the sidebar's period as the
    reader may see it (GoalTree.scoped: a zone lead gets every total and their own zone's teams and people), or a
    message saying what to do. Returns (tree, language code, warehouse path, reader)."""
    from ui.data import WarehouseMissing, goal_tree, versions

    code, db, reader = start_page()
    month, as_of = st.session_state.get("period") or (None, None)
    planned = bool(st.session_state.get("planned_kept"))
    try:
        tree = goal_tree(db, month, as_of, versions(db), planned)
    except (NorthstarError, WarehouseMissing, duckdb.Error) as exc:
        st.error(tm("tree_failed", err=error_text(exc)))
        st.info(t("tree_hint"))
        st.stop()
    tree = tree.scoped(reader)
    if tree.revisions:
        # a target changed after the 1st (in what this reader may see): the month can be read against the old ones
        st.session_state["planned_w"] = planned
        st.sidebar.toggle(t("planned_toggle"), key="planned_w", help=t("planned_help"), on_change=_keep_planned)
    return tree, code, db, reader


def _keep_planned() -> None:
    """The switch's choice outlives the pages without it (a widget's own state is dropped there)."""
    st.session_state["planned_kept"] = st.session_state.get("planned_w", False)


def open_analysis(failed: str):
    """The start of an analyst's page (Cohorts, Growth): `start_page()` and the warehouse's cohort options (filter
    values, cohort months, D, the org), or the message `failed` and what to do. Returns (language, db, options,
    reader)."""
    from ui.data import WarehouseMissing, cohort_options, versions

    code, db, reader = start_page()
    try:
        return code, db, cohort_options(db, versions(db)), reader
    except (NorthstarError, WarehouseMissing, duckdb.Error) as exc:
        st.error(tm(failed, err=error_text(exc)))
        st.info(t("cohorts_hint"))
        st.stop()
