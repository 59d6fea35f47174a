"""ui/components.py and ui/figures.py: the pieces every page uses escape what they are given, and every chart
starts from the house template."""
import plotly.graph_objects as go

from ui import components, figures


def drawn(monkeypatch) -> list[str]:
    out = []
    monkeypatch.setattr(components.st, "markdown", lambda body, unsafe_allow_html=False: out.append(body))
    return out


def test_a_section_header_escapes_its_title_and_note(monkeypatch):
    out = drawn(monkeypatch)
    components.section("<b>华东</b>", note="a & b")
    assert out == ['<div class="ns-section">&lt;b&gt;华东&lt;/b&gt;<span>a &amp; b</span></div>']
    assert components.section_html("战区") == '<div class="ns-section">战区</div>'


def test_the_page_head_escapes_its_text_and_keeps_built_html(monkeypatch):
    out = drawn(monkeypatch)
    components.page_head('<img src=x onerror="alert(1)">', "2026年11月 · 截至 11-24", icon="★",
                         after='<span class="ns-chip">ok</span>')
    [html] = out
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<span data-k="period">2026年11月 · 截至 11-24</span><span class="ns-chip">ok</span>' in html
    assert html.startswith('<div class="ns-head"><h1 title="&lt;img')
    out.clear()
    components.page_head("数据", data_key=None)
    assert out == ['<div class="ns-head"><h1>数据</h1></div>']


def test_a_note_escapes_and_carries_its_key(monkeypatch):
    out = drawn(monkeypatch)
    components.note("**not bold**<i>", data_key="zone.unknown")
    assert out == ['<div class="ns-note" data-k="zone.unknown">**not bold**&lt;i&gt;</div>']


def test_every_chart_starts_from_the_house_template():
    fig = figures.figure(go.Bar(x=[1], y=[2]))
    assert fig.layout.template.layout.font.family == figures.FONT
    assert fig.layout.template.layout.plot_bgcolor == "white"
    assert len(fig.data) == 1


def test_a_chart_is_built_once_per_version_view_and_scope_and_shared(monkeypatch):
    """ui.data.shared_figure: the same chart for the same warehouse version, period, language and reader scope is
    built once and handed to every session; another language, node or scope builds its own. (The reader is handed
    in by the page since issue 34; it was read from the session.)"""
    from types import SimpleNamespace

    import ui.data
    from pipelines.plan.access import User

    ui.data._drawn_figure.clear()
    monkeypatch.setattr(ui.data, "versions", lambda db: ((1, 2, 3), (4, 5)))
    ceo = User("ceo", "CEO", "leader")
    tree = SimpleNamespace(month="2026-11", as_of="2026-11-24", planned=False)
    built = []

    def build(tag):
        def make():
            built.append(tag)
            return go.Figure()
        return make

    first = ui.data.shared_figure("/w.duckdb", tree, ceo, "node_month", ("east", "members", "zh"), build("a"))
    again = ui.data.shared_figure("/w.duckdb", tree, ceo, "node_month", ("east", "members", "zh"), build("b"))
    assert again is first and built == ["a"]
    ui.data.shared_figure("/w.duckdb", tree, ceo, "node_month", ("east", "members", "en"), build("en"))
    ui.data.shared_figure("/w.duckdb", tree, ceo, "node_month", ("north", "members", "zh"), build("north"))
    lead = User("lead", "Lead", "zone_lead", war_zone="east")
    ui.data.shared_figure("/w.duckdb", tree, lead, "node_month", ("east", "members", "zh"), build("lead"))
    monkeypatch.setattr(ui.data, "versions", lambda db: ((1, 2, 9), (4, 5)))      # a rebuild swapped a new file in
    ui.data.shared_figure("/w.duckdb", tree, ceo, "node_month", ("east", "members", "zh"), build("rebuilt"))
    assert built == ["a", "en", "north", "lead", "rebuilt"]
    ui.data._drawn_figure.clear()
