"""The project documents itself (issues 17.20 and 34): a clone has no ../shared, so the README and the guides in
docs/ stand alone — every link leads to a file that exists, the README is short and says where to go next, the
product's rules are in docs/product.md, and the pictures are no older than the pages they show."""
import json
import re

from tests.conftest import ROOT

GUIDES = ("user-guide.md", "admin-guide.md", "developer-guide.md")
DOCS = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]


def test_the_readme_and_the_guides_stand_alone():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert "../shared/DESIGN" not in text and "DESIGN §" not in text, doc.name
        assert "../shared" not in text, doc.name     # a path a clone does not have: say what to put where instead
        for target in re.findall(r"\]\(([^)#\s]+)\)", text):
            if not target.startswith(("http://", "https://")):
                assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which is not in the project"


def test_a_readme_a_newcomer_finishes():
    """Issue 34: the README was 1,536 lines. It is now what Northstar is, a picture of the board, the two commands
    and where to go next, under 300 lines; the rest lives in the guides by reader, each linked from it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 300
    assert "make run" in readme and "make test" in readme
    for guide in GUIDES:
        assert f"(docs/{guide})" in readme, guide
    assert "(docs/product.md)" in readme and "(docs/architecture.md)" in readme
    pictures = re.findall(r"!\[[^\]]+\]\((docs/images/[^)]+\.png)\)", readme)
    assert pictures and all((ROOT / p).exists() for p in pictures)


def test_the_user_guide_is_chinese_first():
    """Each page's section opens with its Chinese paragraph, then the English beside it."""
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    sections = re.split(r"\n## ", guide)[1:]
    assert len(sections) == 7
    for section in sections:
        body = section.split("\n", 1)[1]
        assert body.lstrip().startswith("**中文 ·**") and "**English ·**" in body, section.split("\n")[0]
        zh = body[:body.index("**English ·**")]
        assert len(re.findall(r"[\u4e00-\u9fff]", zh)) > 60, section.split("\n")[0]


def test_the_pictures_are_not_older_than_the_pages_they_show():
    """`make docs-images` draws docs/images/ from the sample and records, per picture, the files it shows and a
    digest of them. A change to one of those files without drawing again fails here, naming the picture."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("draw", ROOT / "docs" / "images" / "draw.py")
    draw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(draw)
    manifest = json.loads((ROOT / "docs" / "images" / "images.json").read_text(encoding="utf-8"))
    assert sorted(manifest) == sorted(draw.PICTURES)
    for name, entry in manifest.items():
        assert (ROOT / "docs" / "images" / name).exists(), name
        assert entry["shows"] == draw.PICTURES[name][3], name
        assert entry["digest"] == draw.digest(entry["shows"]), (
            f"docs/images/{name} is older than {', '.join(entry['shows'])}: run `make docs-images` and commit it")


def test_the_product_rules_are_in_the_project():
    doc = (ROOT / "docs" / "product.md").read_text(encoding="utf-8")
    for section in ("## 2. Data contract", "## 4. Metrics", "## 5. The goal tree", "## 6. Command line"):
        assert section in doc, section
    for metric in ("new_stations", "active_stations", "new_members", "members_served", "active_members"):
        assert f"`{metric}`" in doc, metric


def test_the_architecture_doc_names_only_what_exists():
    """docs/architecture.md follows a number through the code (issue 19): every file and every module.function it
    names exists, so it cannot drift from the code unnoticed."""
    import importlib

    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    files = set(re.findall(r"(?<![\w-])([a-z_][a-z_-]*(?:/[a-z_][a-z_-]*)*\.(?:py|sql|md|yaml|csv))\b", doc))
    assert len(files) > 20
    where = [ROOT, ROOT / "pipelines", ROOT / "ui", ROOT / "pages", ROOT / "data" / "config", ROOT / "docs"]
    for name in files:
        # a path from the project's root, or a file named inside its room ("`build.py`" under pipelines/warehouse/)
        assert any((base / name).exists() for base in where) or list(ROOT.glob(f"pipelines/**/{name}")) \
            or list(ROOT.glob(f"ui/**/{name}")), name
    calls = {
        c
        for c in re.findall(r"`(?:ui\.)?([a-z_]+)\.([a-z_]+)\b", doc)
        if c[1] not in ("py", "sql", "md", "yaml", "csv")
    }
    checked = 0
    for module, attr in calls:
        for path in [*ROOT.glob(f"pipelines/**/{module}.py"), *ROOT.glob(f"ui/**/{module}.py")]:
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            assert hasattr(importlib.import_module(dotted), attr), f"{module}.{attr}"
            checked += 1
    assert checked >= 5


def test_the_admin_guide_says_who_sees_what():
    """Issue 20: the admin guide's "Who sees what" table has a row for every role of the policy, and the two steps to
    switch on passwords or the identity provider."""
    from pipelines.plan.access import ROLES

    readme = (ROOT / "docs" / "admin-guide.md").read_text(encoding="utf-8")
    part = readme[readme.index("## Who sees what"):]
    part = part[:part.index("\n## ", 5)]
    for role in ROLES:
        assert re.search(rf"^\| `{role}`", part, re.M), role
    assert "auth: password" in part and "users add" in part and "auth: oidc" in part and "[auth]" in part


def test_the_admin_guide_sets_up_the_brief(tmp_path):
    """Issue 21: the admin guide's "morning brief" shows where to create the WeCom and DingTalk robots, which variables
    to set, a cron and a systemd-timer line; its channels.yaml example loads against the sample's access.yaml."""
    from pipelines.delivery.channels import load_channels
    from pipelines.plan.access import load_access
    from pipelines.plan.org import load_org

    readme = (ROOT / "docs" / "admin-guide.md").read_text(encoding="utf-8")
    part = readme[readme.index("## The morning brief"):]
    part = part[:part.index("\n## ", 5)]
    for needed in (
        "群机器人",
        "加签",
        "qyapi.weixin.qq.com",
        "oapi.dingtalk.com",
        "NS_WECOM_HQ=",
        "NS_DING_NORTH_SECRET=",
        "NS_SMTP_HOST=",
        "30 8 * * *",
        "OnCalendar=",
        "brief --all --dry-run",
        "build --incremental --brief",
        "alerts: [status_worse]",
        "build_failed",
    ):
        assert needed in part, needed
    example = part[part.index("```yaml\n", part.index("**2. Name the channels**")) + 8:]
    config = tmp_path / "config"
    config.mkdir()
    for name in ("org.yaml", "access.yaml"):
        (config / name).write_text((ROOT / "data" / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (config / "channels.yaml").write_text(example[:example.index("```")], encoding="utf-8")
    channels = load_channels(config, load_access(config, load_org(config)))
    assert [c.type for c in channels.channels] == ["wecom", "dingtalk", "email", "feishu"]


def test_every_guide_section_a_message_names_exists():
    """Issue 36.18: the Data page sent readers to a section "晨报" no guide has. Every 'docs/<guide>.md「Section」' or
    "docs/<guide>.md, 'Section'" a label cites is the start of a heading of that guide."""
    from pipelines.base.labels import LABELS

    cited = set()
    for zh, en in LABELS.values():
        for text in (zh, en):
            for m in re.finditer(r"(docs/[\w-]+\.md)(?:\s*「([^」]+)」|, '([^']+)'|，“([^”]+)”)", text):
                cited.add((m.group(1), next(g for g in m.groups()[1:] if g)))
    assert cited, "no label cites a guide's section (the pattern is wrong)"
    for guide, section in sorted(cited):
        heads = [line.lstrip("#").strip() for line in (ROOT / guide).read_text(encoding="utf-8").splitlines()
                 if line.startswith("#")]
        assert any(h.startswith(section) for h in heads), (guide, section)


def test_the_admin_guides_sample_brief_is_a_real_first_brief(small):
    """Issue 36.18: the guide's brief did not match what the sample sends. It is the `small` sample's brief for
    24 November 2026 (the first: no 'since the last brief' line), word for word."""
    from pipelines.delivery import brief, trees

    guide = (ROOT / "docs" / "admin-guide.md").read_text(encoding="utf-8")
    shown = re.search(r"```\n(北极星日报 ·.*?)\n```", guide, re.S).group(1).splitlines()
    tree = trees.load(small / "wh.duckdb", "2026-11", "2026-11-24")
    assert brief.summary(tree, "zh", base_url="https://northstar.example.com") == shown
