"""The board (placeholder until the OKR board lands): where the network stands, and how fresh the data is."""
import duckdb
import streamlit as st

from pipelines.errors import NorthstarError
from ui.data import WarehouseMissing, db_file, fmt_count, goal_tree, read, versions

zh = st.session_state.get("lang_code", "zh") == "zh"
t = (lambda a, b: a) if zh else (lambda a, b: b)

st.title(t("北极星 · 深耕10年，建设2万驿站，服务1000万创业者", "Northstar · 10 years: 20,000 stations, 10 million entrepreneurs"))

try:
    info = read("select built_at, build_seconds, as_of, last_date from build_info", db_file())
    files = read("select table_name, file_name, rows_read, rows_loaded, rows_rejected from ingest_files", db_file())
except WarehouseMissing as missing:
    st.warning(t(f"还没有数据仓库（{missing}）。请在项目目录运行 `make run`（会生成示例数据并构建），"
                 "或运行 `python -m pipelines build`。",
                 f"No warehouse yet ({missing}). Run `make run` in the project folder (it generates the sample "
                 "and builds it), or `python -m pipelines build`."))
    st.stop()
except duckdb.Error as exc:
    st.error(t(f"数据仓库无法读取：{str(exc).splitlines()[0]}。请重新构建：`python -m pipelines build`。",
               f"The warehouse cannot be read: {str(exc).splitlines()[0]}. Rebuild it: `python -m pipelines build`."))
    st.stop()

lang = "zh" if zh else "en"
month, as_of = st.session_state.get("period") or (None, None)
try:
    tree = goal_tree(db_file(), month, as_of, versions(db_file()))
except NorthstarError as exc:
    st.error(str(exc))
    st.stop()
day = tree.as_of.isoformat()
last = t("（数据最后日期）", " (last date in the data)") if tree.as_of == tree.last_date else ""
st.caption(t(f"截至 {day}", f"As of {day}") + last)
ns = tree.north_star
c1, c2, c3 = st.columns(3)
c1.metric(t("在营驿站（个）/ 目标 2万", "Active stations / target 20,000"), fmt_count(ns["stations"]["actual"], lang),
          border=True)
c2.metric(t("服务会员（人）/ 目标 1000万", "Members served / target 10 million"), fmt_count(ns["members"]["actual"], lang),
          border=True)
c3.metric(t("活跃会员（近30天，人）", "Active members (30 days)"),
          fmt_count(tree.drivers[tree.company["id"]]["active_members"]["value"], lang), border=True)

st.subheader(t("数据加载情况", "Data loaded"))
files.columns = [t("表", "table"), t("文件", "file"), t("读取行数", "rows read"), t("加载行数", "rows loaded"),
                 t("拒绝行数", "rows rejected")]
st.dataframe(files, hide_index=True)
built = info.iloc[0]
st.caption(t(f"构建于 {built['built_at']:%Y-%m-%d %H:%M} UTC，用时 {built['build_seconds']:.1f} 秒。完整的 OKR 看板将在后续版本提供。",
             f"Built {built['built_at']:%Y-%m-%d %H:%M} UTC in {built['build_seconds']:.1f} s. "
             "The full OKR board comes in a later release."))
