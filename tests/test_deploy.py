"""deploy/ (issue 23): the systemd units pass `systemd-analyze verify` with nothing to say, the nginx site passes
`nginx -t`, and the real app under its sub-path behind that nginx site (TLS with a throwaway certificate, the
websocket passed on) draws the board in Chromium and its links stay under the sub-path. What is checked is the
shipped file with only its paths, ports and certificate put to this machine's (`benchmarks/cluster.py`'s `site`,
`_units`)."""
from __future__ import annotations

import re
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from benchmarks.cluster import NGINX, cluster, site
from pipelines.delivery.render import free_port
from tests.conftest import ARTIFACTS, ROOT, problems_shown

DEPLOY = ROOT / "deploy"


def _units(folder: Path) -> list[Path]:
    """The units with /srv/northstar → this clone, the service user → the one running the tests, the env file →
    an empty one (systemd-analyze checks that the programs exist and the users resolve)."""
    import getpass
    import grp
    import os

    env = folder / "northstar.env"
    env.write_text("")
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    out = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text(encoding="utf-8")
        text = (text.replace("/srv/northstar", str(ROOT)).replace("/etc/northstar/northstar.env", str(env))
                .replace("User=northstar", f"User={user}").replace("Group=northstar", f"Group={group}"))
        (folder / unit.name).write_text(text, encoding="utf-8")
        out.append(folder / unit.name)
    return out


def test_the_systemd_units_verify_without_a_word(tmp_path):
    units = _units(tmp_path)
    # the app is a template, one process per port (issue 37): northstar@8501, northstar@8502 …
    assert [u.name for u in units] == ["northstar-refresh.service", "northstar-refresh.timer", "northstar@.service"]
    (ROOT / "data").mkdir(exist_ok=True)              # ReadWritePaths must exist
    instance = tmp_path / "northstar@8501.service"
    instance.write_text(units[2].read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units), str(instance)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    app = (DEPLOY / "systemd" / "northstar@.service").read_text()
    assert "--server.port %i --server.address 127.0.0.1" in app and "--server.baseUrlPath northstar" in app
    assert "OnCalendar=*-*-* 06:00:00 Asia/Shanghai" in (DEPLOY / "systemd" / "northstar-refresh.timer").read_text()
    assert "pipelines refresh" in (DEPLOY / "systemd" / "northstar-refresh.service").read_text()


def test_a_mistyped_unit_would_be_caught(tmp_path):
    """The check above can fail: an unknown key is a warning that systemd-analyze prints."""
    bad = tmp_path / "bad.service"
    bad.write_text("[Service]\nExecStart=/bin/true\nRestartt=no\n")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(bad)], capture_output=True, text=True)
    assert "Unknown key 'Restartt'" in done.stderr


def test_the_repository_config_is_the_production_config():
    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert conf["server"]["address"] == "127.0.0.1" and conf["server"]["headless"] is True
    assert conf["server"]["enableXsrfProtection"] is True and conf["server"]["maxUploadSize"] == 200
    assert conf["client"]["toolbarMode"] == "minimal" and conf["client"]["showErrorDetails"] == "none"
    assert conf["browser"]["gatherUsageStats"] is False
    site = (DEPLOY / "nginx" / "northstar.conf").read_text()
    assert "client_max_body_size 200m;" in site            # the proxy takes what the app takes


def test_nginx_accepts_the_site(tmp_path):
    main = site(tmp_path, [8501], free_port(), free_port())
    done = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


@pytest.fixture()
def behind_nginx(tiny, tmp_path):
    """The app under /northstar/ behind the shipped site (one process; benchmarks/cluster.py)."""
    with cluster(tiny / "wh.duckdb", processes=1, folder=tmp_path) as c:
        yield c.url.removesuffix("/northstar"), c.http, tmp_path


def test_the_app_behind_nginx_under_its_sub_path(behind_nginx, browser):
    https, http, folder = behind_nginx
    # Plain HTTP is sent to HTTPS; the sub-path without its slash gets it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as moved:
        opener.open(http + "/northstar/")
    assert moved.value.code == 301 and moved.value.headers["Location"].startswith("https://127.0.0.1")
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(https + "/northstar")
        assert page.url == https + "/northstar/"
        page.locator(".ns-done").wait_for(state="attached", timeout=90_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        assert problems_shown(page) == []
        text = page.inner_text("[data-testid='stMain']")
        assert "华东战区" in text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "deploy-behind-nginx-1440.png"))
        # A zone's link stays under the sub-path and opens its page through the proxy.
        page.locator("a[href^='war_zone']").first.click()
        page.wait_for_url(re.compile(r"/northstar/war_zone\?"), timeout=60_000)
        page.locator(".ns-done").wait_for(state="attached", timeout=90_000)
        assert problems_shown(page) == []
    finally:
        context.close()
    # nginx logs a websocket when it closes: the page's went through the proxy as an upgrade (101).
    for _ in range(50):
        log = (folder / "logs" / "access.log").read_text()
        if re.search(r'"GET /northstar/_stcore/stream HTTP/1.1" 101 ', log):
            break
        time.sleep(0.2)
    assert re.search(r'"GET /northstar/_stcore/stream HTTP/1.1" 101 ', log), log[-1000:]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_two_app_processes_behind_nginx_keep_each_reader_on_one(tiny, tmp_path, browser):
    """deploy/ runs one app process per port behind the site (issue 37). Every request of one browser — the page,
    its scripts, its websocket — reaches one process (the ns_route cookie), the readers spread over both, a browser
    that comes without the cookie is given one, and a refresh that swaps the warehouse under both processes is read
    by each without an error."""
    import os
    import shutil

    from tests.conftest import copy_warehouse

    (tmp_path / "wh").mkdir()
    (tmp_path / "nginx").mkdir()
    db = copy_warehouse(tiny / "wh.duckdb", tmp_path / "wh")
    with cluster(db, processes=2, folder=tmp_path / "nginx") as c:
        contexts = []
        for i in range(7):      # six readers with a route already, one that arrives without
            context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 800})
            if i:
                context.add_cookies([{"name": "ns_route", "value": f"reader-{i}", "url": c.url + "/"}])
            page = context.new_page()
            page.goto(c.url + "/")
            page.locator(".ns-done").wait_for(state="attached", timeout=90_000)
            assert problems_shown(page) == []
            contexts.append((context, page))
        given = [k["value"] for k in contexts[0][0].cookies() if k["name"] == "ns_route"]
        assert len(given) == 1 and len(given[0]) == 32            # nginx's request id: 32 hex digits
        # a refresh swaps a new warehouse in under both processes; each reader's next run reads it
        fresh = tmp_path / "wh" / "swapped.duckdb"
        shutil.copyfile(db, fresh)
        os.replace(fresh, db)
        for _, page in contexts:
            page.reload()
            page.locator(".ns-done").wait_for(state="attached", timeout=90_000)
            assert problems_shown(page) == [] and "华东战区" in page.inner_text("[data-testid='stMain']")
        for context, _ in contexts:
            context.close()
        routes = []
        for _ in range(100):            # nginx logs a websocket when it closes
            routes = c.routes()
            if sum(" /northstar/_stcore/stream " in r[0] and r[1] == "101" for r in routes) >= 2 * len(contexts):
                break
            time.sleep(0.1)
    reached: dict[str, set[str]] = {}
    for _request, _status, upstream, cookie in routes:
        if cookie not in ("", "-") and upstream != "-":
            reached.setdefault(cookie, set()).add(upstream)
    assert set(reached) == {given[0]} | {f"reader-{i}" for i in range(1, 7)}
    assert all(len(places) == 1 for places in reached.values()), reached      # each reader on one process
    assert set().union(*reached.values()) == {f"127.0.0.1:{p}" for p in c.ports}   # and both processes used
    sockets = [r for r in routes if " /northstar/_stcore/stream " in r[0] and r[1] == "101"]
    assert len(sockets) >= 2 * len(contexts)                     # every page's websocket went through as one
