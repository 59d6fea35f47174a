"""The app's CSS: compact spacing so the board fits 1440×900 without scrolling, the status colours (always with a
word, see pipelines.okr.status), and the print stylesheet (A4 landscape, one page, no sidebar or chrome)."""
from __future__ import annotations

import streamlit as st

from pipelines.okr.status import STATUS

# Traffic lights: text colour on the chip background, and the colour itself (the vocabulary: pipelines.okr.status).
STATUS_COLORS = {code: (s.ink, s.colour) for code, s in STATUS.items()}


# (zoom, the screens it applies to: "h<900" a height below 900 px, "w<1440" a width below 1440 px), largest first:
# a rule applies when either side is that small, so the last that applies is min(height ÷ 900, width ÷ 1440)
LAPTOP_STEPS = ((0.95, ("w<1440", "h<900")), (0.94, ("h<900",)), (0.89, ("h<850",)), (0.84, ("h<800", "w<1366")),
                (0.8, ("w<1280",)), (0.79, ("h<750",)))


def _laptop_rules() -> str:
    """The board drawn smaller on a laptop, one media rule per step of LAPTOP_STEPS (screens wider than a phone)."""
    side = {"h": "max-height", "w": "max-width"}
    out = []
    for zoom, below in LAPTOP_STEPS:
        when = ", ".join(f"screen and (min-width: 641px) and ({side[b[0]]}: {int(b[2:]) - 0.02}px)" for b in below)
        rule = f'[data-testid="stMainBlockContainer"]:has(.ns-northstar) {{ zoom: {zoom}; }}'
        out.append(f"@media {when} {{\n  {rule}\n}}")
    return "\n".join(out) + "\n"


def _status_rules() -> str:
    rules = []
    for status, (ink, color) in STATUS_COLORS.items():
        rules.append(f".ns-chip.ns-{status} {{ background: {color}; color: {ink}; }}")
        rules.append(f".ns-fill.ns-{status} {{ background: {color}; }}")
        as_text = color if status not in ("no_target", "at_risk") else "#6b4e00"   # amber and grey: too light as text
        rules.append(f".ns-text-{status} {{ color: {as_text}; }}")
    for status in ("off_track", "missed"):
        rules.append(f".ns-edge-{status} {{ border-left: 6px solid {STATUS_COLORS[status][1]} !important; "
                     "background: #fff5f5 !important; }")
    rules.append(f".ns-edge-at_risk {{ border-left: 6px solid {STATUS_COLORS['at_risk'][1]} !important; "
                 "background: #fffaf0 !important; }")
    for status in ("on_track", "achieved"):
        rules.append(f".ns-edge-{status} {{ border-left: 6px solid {STATUS_COLORS[status][1]} !important; }}")
    return "\n".join(rules)


CSS = """
<style>
[data-testid="stSidebar"][aria-expanded="true"] { min-width: 15rem !important; max-width: 15rem !important; }
[data-testid="stMainBlockContainer"] { padding-top: 2.7rem; padding-bottom: 0.5rem; max-width: 100%; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.55rem; }
/* Streamlit pulls each markdown block up by 1rem (for a trailing paragraph's margin); cards have none, and a
   column that does not wrap clips what is pulled under its edge. */
[data-testid="stElementContainer"]:has(.ns-done) { display: none; }
/* A table's own "Download as CSV" saves in the browser, where no audit sees it (issue 33.11): every table whose rows
   may leave has a download button of its own, audited; the toolbar keeps search and full screen. */
[data-testid="stElementToolbarButton"]:has(button[aria-label="Download as CSV"]) { display: none !important; }
[data-testid="stMarkdownContainer"]:has(.ns-card, .ns-linkbox, .ns-scroll, .ns-section, .ns-head, .ns-note, .ns-gap,
  .ns-revised, .ns-alloc, .ns-plan-status, .ns-align) { margin-bottom: 0 !important; }
/* One line: a long title gives way (its full text is its tooltip), never the period, which says what the numbers
   are. */
.ns-head { display: flex; align-items: baseline; gap: 1rem; flex-wrap: nowrap; margin: 0 0 0.1rem 0; }
.ns-head > :first-child { min-width: 0; flex: 1 1 auto; overflow: hidden; }   /* Streamlit wraps the h1 in a div */
.ns-head h1 { font-size: 1.55rem; font-weight: 700; margin: 0; padding: 0; line-height: 1.25; min-width: 0;
              overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ns-head .ns-period { color: #4b5563; font-size: 0.95rem; white-space: nowrap; flex-shrink: 0; }
.ns-section { font-size: 0.95rem; font-weight: 700; color: #374151; margin: 0 0 0.25rem 0; }
.ns-section span { font-weight: 400; color: #6b7280; margin-left: 0.5rem; font-size: 0.85rem; }
.ns-card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 0.45rem 0.7rem; background: #ffffff; }
.ns-northstar { display: flex; flex-direction: column; gap: 0.35rem; }
.ns-label { font-size: 0.95rem; font-weight: 600; color: #374151; }
.ns-unit { font-weight: 400; color: #6b7280; font-size: 0.85rem; }
.ns-delta { font-weight: 400; color: #374151; font-size: 0.85rem; margin-left: 0.4rem; }
.ns-big { font-size: 1.9rem; font-weight: 700; line-height: 1.15; color: #111827; }
.ns-share { float: right; font-size: 0.85rem; font-weight: 500; color: #374151; margin-top: 0.1rem; line-height: 1.3; }
.ns-of { font-size: 1.05rem; font-weight: 500; color: #6b7280; }
.ns-mid { font-size: 1.05rem; font-weight: 600; color: #111827; }
.ns-meta, .ns-zmeta { font-size: 0.8rem; color: #4b5563; }
.ns-tile .ns-meta { font-size: 0.74rem; line-height: 1.3; margin-top: 0.1rem; }   /* curve, last week, other pace */
.ns-band { display: block; grid-column: 1 / -1; font-size: 0.74rem; line-height: 1.25; color: #4b5563; }
/* a "?" where an explanation would otherwise be a hover title only: hover shows the title, a tap or focus the words */
.ns-help {
  display: inline-block; position: relative; width: 1.05em; height: 1.05em; line-height: 1.05em; margin-left: 0.2em;
  border-radius: 50%; border: 1px solid #9ca3af; color: #4b5563; font-size: 0.72rem; font-weight: 600;
  font-style: normal; text-align: center; cursor: help; vertical-align: 0.1em;
}
.ns-help:focus { outline: 2px solid #93c5fd; }
.ns-help:focus::after {
  content: attr(data-tip); position: absolute; z-index: 20; top: 1.4em; right: -0.5em; width: 16rem;
  white-space: normal; text-align: left; font-weight: 400; line-height: 1.35; padding: 0.4rem 0.5rem;
  background: #111827; color: #fff; border-radius: 6px; font-size: 0.78rem;
}
/* the board's answer to "who is behind?" (issue 36.9) */
.ns-answer { font-size: 0.9rem; color: #111827; line-height: 1.4; margin-top: -0.3rem; }
.ns-answer b { font-weight: 700; }
.ns-week { font-size: 0.75rem; font-weight: 600; white-space: nowrap; }
.ns-zweek { line-height: 1.15; }
.ns-gap { font-size: 0.78rem; color: #374151; margin-top: 0.05rem; line-height: 1.28; }
.ns-gap b { font-weight: 600; }
.ns-revised { font-size: 0.75rem; color: #92400e; margin-top: 0.15rem; }
.ns-milestone { display: block; text-align: right; font-size: 0.78rem; margin-top: 0.1rem; }
.ns-small-label { font-size: 0.78rem; color: #6b7280; }
.ns-bar { position: relative; height: 9px; background: #eef0f3; border-radius: 5px; margin: 0.25rem 0 0.2rem 0; }
.ns-fill { height: 100%; border-radius: 5px; }
.ns-tick { position: absolute; top: -4px; width: 2px; height: 17px; background: #111827; }
.ns-chip { display: inline-block; border-radius: 999px; padding: 0.05rem 0.55rem; font-size: 0.85rem;
           font-weight: 600; white-space: nowrap; vertical-align: middle; }
.ns-chip.ns-small { font-size: 0.72rem; padding: 0 0.45rem; }
.ns-tilehead { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; }
.ns-grid4 { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.3rem; }
.ns-zname { font-weight: 700; font-size: 1rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.ns-zline { display: flex; align-items: center; justify-content: space-between; gap: 0.4rem; margin-top: 0.3rem; }
.ns-zlabel { font-size: 0.85rem; color: #4b5563; }
.ns-zfig { font-size: 1.15rem; font-weight: 700; white-space: nowrap; line-height: 1.2; }
.ns-center { height: 100%; }
.ns-cmembers { font-size: 0.75rem; color: #4b5563; text-align: right; }
.ns-alloc { font-size: 0.9rem; color: #374151; margin: 0.15rem 0; padding: 0.2rem 0.5rem; border-radius: 6px;
            display: flex; justify-content: space-between; gap: 0.6rem; flex-wrap: wrap; }
.ns-alloc-ok { background: #ecfdf3; }
.ns-alloc-off { background: #fff4db; font-weight: 600; }
.ns-alloc-word { white-space: nowrap; }
.ns-plan-status { margin-bottom: 0.4rem; }
.ns-scroll { overflow-x: auto; max-width: 100%; }   /* a wide table scrolls in its box on a phone, not the page */
.ns-align { width: 100%; border-collapse: collapse; font-size: 0.88rem; }
.ns-align th, .ns-align td {
  border: 1px solid #e5e7eb; padding: 0.3rem 0.45rem; vertical-align: top; text-align: left;
}
.ns-align thead th { background: #f8fafc; font-weight: 600; color: #374151; }
.ns-align .ns-rowhead { font-weight: 700; white-space: nowrap; }
.ns-align .ns-num { white-space: nowrap; font-weight: 600; }
.ns-align .ns-sub { font-weight: 400; font-size: 0.75rem; color: #6b7280; }
.ns-none { color: #9ca3af; }
.ns-flag { color: #b45309; font-weight: 700; font-size: 0.8rem; white-space: nowrap; }
.ns-action { margin-bottom: 0.4rem; }
.ns-kr { margin: 0.35rem 0 0.1rem 0; }
.ns-krhead { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; font-size: 0.88rem; }
.ns-krtitle { font-weight: 600; }
.ns-krkind { font-size: 0.72rem; color: #6b7280; border: 1px solid #d1d5db; border-radius: 4px; padding: 0 0.3rem; }
.ns-krfig { margin-left: auto; font-weight: 600; }
.ns-said { font-size: 0.78rem; color: #374151; white-space: nowrap; }
.ns-said-none { color: #9ca3af; font-style: italic; }
.ns-tally { font-size: 0.78rem; margin: 0.1rem 0 0.15rem 0; display: flex; gap: 0.6rem; flex-wrap: wrap; }
.ns-count { font-weight: 600; }
.ns-ka { display: flex; align-items: center; gap: 0.35rem; font-size: 0.85rem; margin: 0.12rem 0; }
.ns-katitle { flex: 1; overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
              line-height: 1.2; }
.ns-kapct { font-weight: 600; color: #374151; }
.ns-drivers { display: flex; align-items: center; gap: 1.2rem; background: #f8fafc; border-style: dashed; }
.ns-dhead {
  display: flex; flex-direction: column; font-size: 0.9rem; color: #374151; min-width: 9rem; max-width: 17rem;
}
.ns-dhead span { font-size: 0.75rem; color: #6b7280; }
.ns-driver { display: grid; grid-template-columns: auto auto; column-gap: 0.4rem; align-items: baseline; }
.ns-driver .ns-small-label { grid-column: 1 / -1; }
.ns-dval { font-size: 1.15rem; font-weight: 700; color: #374151; white-space: nowrap; }
.ns-dcmp { font-size: 0.75rem; color: #4b5563; white-space: nowrap; }
.ns-driver .ns-small-label { white-space: nowrap; }
/* The war-zone page's paths strip (issue 36.5), longer in English than the board's: its items wrap onto a second
   row rather than run off the card, and a comparison sits beside its value or, when there is no room, under it. */
.ns-zdrivers { flex-wrap: wrap; align-items: flex-start; gap: 0.4rem 1.2rem; }
.ns-zdrivers .ns-driver { display: flex; flex-wrap: wrap; max-width: 100%; }
.ns-zdrivers .ns-driver .ns-small-label { flex-basis: 100%; }
.ns-empty, .ns-note { font-size: 0.82rem; color: #4b5563; font-style: italic; }
.ns-printhint { display: none; }
/* A table for paper (ui.views.warzone.print_table): hidden on screen, with the element that holds it */
.ns-print-only, [data-testid="stElementContainer"]:has(.ns-print-only) { display: none; }
.ns-ptable { border-collapse: collapse; width: 100%; font-size: 0.72rem; margin: 0; }
.ns-ptable th, .ns-ptable td { border: 1px solid #e5e7eb; padding: 0.1rem 0.3rem; white-space: nowrap; }
.ns-ptable th { background: #f3f4f6; font-weight: 600; text-align: left; }
.ns-ptable .ns-num { text-align: right; }
/* a reference table read on screen (the Data page's catalog): its text wraps, nothing is cut at a cell's edge */
.ns-wraptable { font-size: 0.8rem; min-width: 48rem; }
.ns-wraptable th, .ns-wraptable td { white-space: normal; vertical-align: top; padding: 0.3rem 0.45rem; }
.ns-wraptable td:nth-child(2), .ns-wraptable td:nth-child(9) { font-family: monospace; font-size: 0.75rem; }
.ns-wraptable td:nth-child(3), .ns-wraptable td:nth-child(5), .ns-wraptable td:nth-child(6),
.ns-wraptable th:nth-child(3), .ns-wraptable th:nth-child(5), .ns-wraptable th:nth-child(6) { white-space: nowrap; }
.ns-wraptable td:nth-child(1) { min-width: 6rem; }
.ns-wraptable td:nth-child(2), .ns-wraptable td:nth-child(9) { overflow-wrap: anywhere; min-width: 6.5rem; }
.ns-wraptable td:nth-child(4) { min-width: 8rem; }
.ns-wraptable td:nth-child(7), .ns-wraptable td:nth-child(8) { min-width: 11rem; }          /* the definitions */
a.ns-link, a.ns-link:hover { color: inherit !important; text-decoration: none !important; display: block; }
a.ns-link:hover .ns-card, a.ns-link:hover.ns-card, a.ns-link:focus-visible .ns-card { box-shadow: 0 0 0 2px #93c5fd; }
a.ns-link:hover .ns-ka, .ns-zname a.ns-link:hover { background: #f1f5f9; border-radius: 4px; }
a.ns-inline-link { font-style: normal; font-weight: 600; white-space: nowrap; }
""" + _status_rules() + """
/* A laptop (issue 36): the board is one screen at 1440 × 900; on a smaller screen it is drawn smaller, as a slide
   is, by the smaller of (height ÷ 900) and (width ÷ 1440) in steps — each rule below applies when either side is
   that small, so the last that applies is the smaller — which also gives its lines the width they have at 1440
   (no name cut, no figure broken over two lines). The board only (it has the north star); not a phone's stacked
   columns, not paper (the print view has its own). */
""" + _laptop_rules() + """
/* A phone (WeCom / DingTalk): columns stack (st.columns wraps at 640 px), and what was one row may wrap. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.8rem; padding-right: 0.8rem; }
  .ns-head { flex-wrap: wrap; gap: 0.2rem 0.6rem; }
  .ns-head h1 { white-space: normal; font-size: 1.3rem; }
  .ns-head > :first-child { flex-basis: 100%; }
  .ns-head .ns-period { white-space: normal; flex-shrink: 1; }
  .ns-drivers { flex-wrap: wrap; gap: 0.5rem 1.2rem; }
  .ns-dhead { min-width: 100%; }
  .ns-share { float: none; display: block; margin-top: 0.1rem; }
  .ns-zname { white-space: normal; }
  .ns-milestone { text-align: left; }
}
@media print {
  @page { size: A4 landscape; margin: 7mm; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stSidebarNav"], [data-testid="stBottom"], footer, iframe[title="streamlit_analytics"] {
    display: none !important;
  }
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    overflow: visible !important; height: auto !important; position: static !important; margin: 0 !important;
  }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; zoom: 0.77; }
  [data-testid="stHorizontalBlock"] {
    display: flex !important; flex-direction: row !important; flex-wrap: nowrap !important;
  }
  [data-testid="stColumn"] { width: auto !important; min-width: 0 !important; }
  .ns-card, .js-plotly-plot, .ns-ptable tr { break-inside: avoid; }
  .ns-help { display: none !important; }
  /* Paper has nothing to click (issue 36.6): no pickers, buttons or table toolbars; a table is printed whole from
     its paper copy, not the grid's canvas cut at the screen's width. */
  [data-testid="stMain"] [data-testid="stSelectbox"], [data-testid="stMain"] [data-testid="stDownloadButton"],
  [data-testid="stMain"] [data-testid="stButton"], [data-testid="stElementToolbar"],
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]):has(+ * .ns-print-only) {
    display: none !important;
  }
  .ns-print-only, [data-testid="stElementContainer"]:has(.ns-print-only) { display: block !important; }
}
</style>
"""


# The board drawn for a picture (pipelines.delivery.render): the reader's screen without the sidebar and Streamlit's
# chrome.
RENDER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stExpandSidebarButton"],
[data-testid="stSidebarNav"], [data-testid="stBottom"], footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1rem !important; padding-bottom: 0.5rem !important; }
/* a picture has nothing to click or hover: links read as text, no "?" */
a.ns-link, a.ns-inline-link { color: inherit !important; text-decoration: none !important; }
.ns-help { display: none !important; }
/* The phone picture a leader opens in a chat (issue 36.16: 780 × 5,488 px, seven screens): the question first —
   the head, the north star, the answer line, this month and the war zones — about two screens; the chart, the
   centers and the paths stay on the board the brief's link opens. */
@media (max-width: 640px) {
  [data-testid="stElementContainer"]:has(.js-plotly-plot),
  [data-testid="stElementContainer"]:has([data-k="section.centers"]),
  [data-testid="stHorizontalBlock"]:has(.ns-center),
  [data-testid="stElementContainer"]:has(.ns-center),
  [data-testid="stElementContainer"]:has(.ns-drivers) { display: none !important; }
}
</style>
"""


# Streamlit's own words that no option translates (the file uploader's button and size note): drawn in Chinese on
# a Chinese page by CSS, the text itself hidden. (The date picker's English month names are avoided instead: the
# as-of and check-in dates are lists of days in the reader's language.)
ZH_WIDGETS = """
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "上传文件"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "每个文件不超过 %(mb)s MB"; font-size: 0.8rem;
}
</style>
"""


def inject(lang: str = "en") -> None:
    """Adds the app's CSS to the page (once per run; it renders nothing visible), and on a Chinese page the Chinese
    words for Streamlit's own widgets."""
    st.markdown(CSS, unsafe_allow_html=True)
    if lang == "zh":
        mb = int(st.get_option("server.maxUploadSize"))
        st.markdown(ZH_WIDGETS % {"mb": mb}, unsafe_allow_html=True)
