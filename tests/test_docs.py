"""The project documents itself (issue 17.20): a clone has no ../shared, so the README points at the project's own
docs, every link in it leads to a file that exists, and the product's rules are in docs/product.md."""
import re

from tests.conftest import ROOT


def test_the_readme_stands_alone():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared/DESIGN" not in readme and "DESIGN §" not in readme
    assert "../shared" not in readme          # a path a clone does not have: say what to put where instead
    for target in re.findall(r"\]\(([^)#\s]+)\)", readme):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), f"README links to {target}, which is not in the project"
    assert "(docs/product.md)" in readme


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
    files = set(re.findall(r"\b([a-z_]+(?:/[a-z_]+)*\.(?:py|sql|md|yaml|csv))\b", doc))
    assert len(files) > 20
    where = [ROOT, ROOT / "pipelines", ROOT / "ui", ROOT / "pages", ROOT / "data" / "config"]
    for name in files:
        # a path from the project's root, or a file named inside its room ("`build.py`" under pipelines/warehouse/)
        assert any((base / name).exists() for base in where) or list(ROOT.glob(f"pipelines/**/{name}")) \
            or list(ROOT.glob(f"ui/**/{name}")), name
    calls = {c for c in re.findall(r"`(?:ui\.)?([a-z_]+)\.([a-z_]+)\b", doc) if c[1] not in ("py", "sql", "md", "yaml", "csv")}
    checked = 0
    for module, attr in calls:
        for path in [*ROOT.glob(f"pipelines/**/{module}.py"), *ROOT.glob(f"ui/**/{module}.py")]:
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            assert hasattr(importlib.import_module(dotted), attr), f"{module}.{attr}"
            checked += 1
    assert checked >= 5


def test_the_readme_says_who_sees_what():
    """Issue 20: the README's "Who sees what" table has a row for every role of the policy, and the two steps to
    switch on passwords or the identity provider."""
    from pipelines.plan.access import ROLES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("## Who sees what"):]
    part = part[:part.index("\n## ", 5)]
    for role in ROLES:
        assert re.search(rf"^\| `{role}`", part, re.M), role
    assert "auth: password" in part and "users add" in part and "auth: oidc" in part and "[auth]" in part


def test_the_readme_sets_up_the_brief(tmp_path):
    """Issue 21: the README's "morning brief" shows where to create the WeCom and DingTalk robots, which variables
    to set, a cron and a systemd-timer line; its channels.yaml example loads against the sample's access.yaml."""
    from pipelines.delivery.channels import load_channels
    from pipelines.plan.access import load_access
    from pipelines.plan.org import load_org

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("## The morning brief"):]
    part = part[:part.index("\n## ", 5)]
    for needed in ("群机器人", "加签", "qyapi.weixin.qq.com", "oapi.dingtalk.com", "NS_WECOM_HQ=", "NS_DING_NORTH_SECRET=",
                   "NS_SMTP_HOST=", "30 8 * * *", "OnCalendar=", "brief --all --dry-run", "build --incremental --brief",
                   "alerts: [status_worse]", "build_failed"):
        assert needed in part, needed
    example = part[part.index("```yaml\n", part.index("**2. Name the channels**")) + 8:]
    config = tmp_path / "config"
    config.mkdir()
    for name in ("org.yaml", "access.yaml"):
        (config / name).write_text((ROOT / "data" / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (config / "channels.yaml").write_text(example[:example.index("```")], encoding="utf-8")
    channels = load_channels(config, load_access(config, load_org(config)))
    assert [c.type for c in channels.channels] == ["wecom", "dingtalk", "email", "feishu"]
