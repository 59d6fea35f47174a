"""The structure the architecture steps keep (issues 19 and 34): no import cycle among the modules (counting imports
inside functions, which only hide a cycle), rooms that import only the rooms below them, and the data side never
importing Streamlit or the view code. docs/developer/architecture.md draws the same rooms."""
import ast

from tests.conftest import ROOT

PACKAGES = ("pipelines", "ui")

# pipelines/: which room may import which (its own always). A room not listed, or a new top-level module, fails
# `test_every_module_lives_in_a_room` until it is placed here and in the architecture guide.
ROOMS = {
    "pipelines.base": set(),                                                      # words every room shares
    "pipelines.plan": {"pipelines.base"},                                        # the company's plan and who reads
    "pipelines.warehouse": {"pipelines.base", "pipelines.plan"},                 # raw files → the warehouse
    "pipelines.okr": {"pipelines.base", "pipelines.plan"},                       # the OKR numbers
    "pipelines.delivery": {"pipelines.base", "pipelines.plan", "pipelines.okr"},  # what leaves: trees, briefs, files
    "pipelines.cli": {"pipelines.base", "pipelines.plan", "pipelines.warehouse", "pipelines.okr", "pipelines.delivery"},
    "pipelines.__main__": {"pipelines.cli"},
}
# the arrows issue 34 found pointing the wrong way in meaning, each named so it cannot come back unnoticed
WRONG_WAY = [
    ("pipelines.okr", "pipelines.plan.store", "the goal tree is handed the plan, check-ins and revisions"),
    ("pipelines.okr", "pipelines.plan.access", "the numbers do not know who reads them: a tree is scoped after"),
    ("pipelines.plan.goals", "pipelines.plan.access", "the goals.yaml parser knows nothing of sign-in"),
    ("ui", "pipelines.warehouse.ingest", "the view borrows nothing from the CSV reader"),
    ("pipelines.warehouse", "pipelines.okr", "the build masks phones with pipelines.base.privacy"),
    ("pipelines.okr.goaltree", "pipelines.okr.backtest", "the band is replay's; backtest only reports"),
]
# ui/: views are given everything they draw (no session, no warehouse, no sections); sections hold widgets and state
UI_VIEW_MAY_NOT = ("ui.auth", "ui.data", "ui.setup", "ui.sections")


def module_of(path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports() -> dict[str, set[str]]:
    """Every module of pipelines/ and ui/ → the modules it imports (a name imported from a package counts as that
    module when it is one: `from pipelines.okr import goaltree` is pipelines.okr.goaltree)."""
    graph = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            mod, deps = module_of(path), set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    for a in node.names:
                        full = f"{node.module}.{a.name}"
                        deps.add(full if (ROOT / (full.replace(".", "/") + ".py")).exists() else node.module)
                elif isinstance(node, ast.Import):
                    deps.update(a.name for a in node.names)
            graph[mod] = deps - {mod}
    return graph


def room_of(mod: str) -> str:
    parts = mod.split(".")
    return ".".join(parts[:2])


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


def test_every_module_lives_in_a_room():
    """pipelines/ is rooms by purpose, not a corridor: every module is in one of ROOMS (the CLI and its __main__
    are the only modules at the top)."""
    loose = sorted(m for m in imports() if m.startswith("pipelines") and m != "pipelines" and room_of(m) not in ROOMS)
    assert loose == []


def test_each_room_imports_only_the_rooms_below_it():
    wrong = set()
    for mod, deps in imports().items():
        if not mod.startswith("pipelines.") or room_of(mod) not in ROOMS:
            continue
        allowed = ROOMS[room_of(mod)] | {room_of(mod)}
        wrong |= {(mod, d) for d in deps if d.startswith("pipelines.") and room_of(d) not in allowed}
    assert sorted(wrong) == []


def test_the_wrong_way_arrows_are_gone():
    found = [(mod, d, why) for mod, deps in imports().items() for d in deps for src, dst, why in WRONG_WAY
             if (mod == src or mod.startswith(src + ".")) and (d == dst or d.startswith(dst + "."))]
    assert found == []


def test_a_view_is_given_what_it_draws():
    """ui/views/ read no session, no warehouse and no widget state: a page hands them the tree, the reader and the
    language, so a view can be drawn for any person without a browser (issue 34)."""
    for path in (ROOT / "ui" / "views").glob("*.py"):
        mod, source = module_of(path), path.read_text(encoding="utf-8")
        bad = sorted(d for d in imports()[mod] if any(d == x or d.startswith(x + ".") for x in UI_VIEW_MAY_NOT))
        assert bad == [], (path.name, bad)
        assert not any(s in source for s in ("st.session_state", "st.query_params", "viewer()")), path.name


def test_the_reader_is_read_where_a_page_starts():
    """Issue 34: `viewer()` reads the session in one place, the page's start (ui.setup.start_page), besides ui.auth
    itself (the sign-in, the audit's own record). Every view, section and page gets the reader handed to it."""
    readers = sorted(str(p.relative_to(ROOT)) for p in [*(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
                                                        ROOT / "dashboard.py"]
                     if "viewer()" in p.read_text(encoding="utf-8"))
    assert readers == ["ui/auth.py", "ui/setup.py"]
    assert (ROOT / "ui" / "setup.py").read_text(encoding="utf-8").count("viewer()") == 1


def test_the_data_side_never_imports_streamlit_or_the_view():
    for mod, deps in imports().items():
        if mod.startswith("pipelines."):
            assert not any(d.split(".")[0] in ("streamlit", "ui", "plotly") for d in deps), (mod, deps)


def test_every_page_file_is_registered_once():
    """Each file of pages/ is one st.Page of the navigation (a page file nobody can reach, or one listed twice,
    fails), and its URL is its file name (the links in ui/links.py build them that way)."""
    import re

    entry = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    # (issue 36: the pages are one list, SPECS, each an st.Page of pages/<name>.py at /<name> — or, for a role that
    # may not read it, a sentence at that same address)
    specs = re.search(r"SPECS = \[(.*?)\]\n", entry, re.S).group(1)
    registered = re.findall(r'\("(\w+)", ":material', specs)
    files = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
    assert sorted(registered) == files and len(set(registered)) == len(registered)
    assert 'st.Page(f"pages/{name}.py", title=t(f"page_{name}"), icon=icon, url_path=name' in entry
    assert "url_path=name,\n                 visibility=\"hidden\")" in entry


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
    for path in (ROOT / "ui").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path.name != "figures.py":
            assert "go.Figure(" not in source, path.name
            if "make_subplots(" in source:
                assert "template=HOUSE" in source, path.name
