"""The structure the architecture step keeps (issue 19): no import cycle among the modules (counting imports inside
functions, which only hide a cycle), and the data side never imports Streamlit or the view code."""
import ast

from tests.conftest import ROOT

PACKAGES = ("pipelines", "ui")


def imports() -> dict[str, set[str]]:
    graph = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).glob("*.py"):
            mod, deps = f"{pkg}.{path.stem}", set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [f"{node.module}.{a.name}" for a in node.names] if node.module in PACKAGES else [node.module]
                    deps.update(names)
                elif isinstance(node, ast.Import):
                    deps.update(a.name for a in node.names)
            graph[mod] = deps - {mod}
    return graph


def test_no_import_cycle():
    graph = imports()
    inner = {m: {d for d in deps if d in graph} for m, deps in graph.items()}
    done, cycles = set(), []

    def visit(mod, path):
        for dep in inner[mod]:
            if dep in path:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in done:
                visit(dep, path + [dep])
        done.add(mod)

    for mod in inner:
        visit(mod, [mod])
    assert cycles == []


def test_the_data_side_never_imports_streamlit_or_the_view():
    for mod, deps in imports().items():
        if mod.startswith("pipelines."):
            assert not any(d.split(".")[0] in ("streamlit", "ui", "plotly") for d in deps), (mod, deps)


def test_every_page_file_is_registered_once():
    """Each file of pages/ is one st.Page of the navigation (a page file nobody can reach, or one listed twice,
    fails), and its URL is its file name (the links in ui/links.py build them that way)."""
    import re

    entry = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    registered = re.findall(r'st\.Page\("pages/(\w+)\.py".*?url_path="(\w+)"', entry)
    files = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
    assert sorted(name for name, _ in registered) == files
    assert all(name == url for name, url in registered)


def test_every_page_is_layout_and_widgets_only():
    """Issue 19.4: a page is at most 150 lines; its state and checks live in ui/ or pipelines/, tested there."""
    long = {p.name: n for p in (ROOT / "pages").glob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 150}
    assert long == {}


def test_section_headers_and_page_heads_are_written_once():
    """Issue 19.5: the page head, section header and note are ui.components'; no page writes their HTML."""
    for path in (ROOT / "pages").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not any(cls in source for cls in ('class="ns-section"', 'class="ns-head"', 'class="ns-note"')), path.name


def test_every_figure_is_made_in_the_house_template():
    """Issue 19.5: charts start from ui.figures.figure (or apply HOUSE to subplots), not a layout dict each."""
    for path in (ROOT / "ui").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path.name != "figures.py":
            assert "go.Figure(" not in source, path.name
            if "make_subplots(" in source:
                assert "template=HOUSE" in source, path.name
