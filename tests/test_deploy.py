"""deploy/ (issue 23): the systemd units pass `systemd-analyze verify` with nothing to say, the nginx site passes
`nginx -t`, and the real app under its sub-path behind that nginx site (TLS with a throwaway certificate, the
websocket passed on) draws the board in Chromium and its links stay under the sub-path. What is checked is the
shipped file with only its paths, ports and certificate put to this machine's (`_site`, `_units`)."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from pipelines.delivery.render import app_server, free_port
from tests.conftest import ARTIFACTS, ROOT, problems_shown

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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
    assert [u.name for u in units] == ["northstar-refresh.service", "northstar-refresh.timer", "northstar.service"]
    (ROOT / "data").mkdir(exist_ok=True)              # ReadWritePaths must exist
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    app = (DEPLOY / "systemd" / "northstar.service").read_text()
    assert "--server.address 127.0.0.1" in app and "--server.baseUrlPath northstar" in app
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


def _site(folder: Path, app_port: int, https_port: int, http_port: int) -> Path:
    """An nginx main config around the shipped site, with a throwaway certificate and free ports."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "northstar.conf").read_text(encoding="utf-8")
    site = (site.replace("/etc/ssl/certs/northstar.example.com.pem", str(folder / "cert.pem"))
            .replace("/etc/ssl/private/northstar.example.com.key", str(folder / "key.pem"))
            .replace("127.0.0.1:8501", f"127.0.0.1:{app_port}")
            .replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
            .replace("listen 80;", f"listen 127.0.0.1:{http_port};"))
    assert site.count(str(folder)) == 2 and f"127.0.0.1:{app_port}" in site
    (folder / "site.conf").write_text(site, encoding="utf-8")
    for sub in ("body", "proxy", "logs"):
        (folder / sub).mkdir(exist_ok=True)
    main = folder / "nginx.conf"
    main.write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/logs/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/proxy; uwsgi_temp_path {folder}/proxy; scgi_temp_path {folder}/proxy;
    include {folder}/site.conf;
}}
""", encoding="utf-8")
    return main


def test_nginx_accepts_the_site(tmp_path):
    main = _site(tmp_path, 8501, free_port(), free_port())
    done = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


@pytest.fixture()
def behind_nginx(tiny, tmp_path):
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    main = _site(tmp_path, app_port, https_port, http_port)
    with app_server(tiny / "wh.duckdb", port=app_port, base_path="northstar"):
        proc = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path), "-g", "daemon off;"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for _ in range(100):
                try:
                    import socket

                    socket.create_connection(("127.0.0.1", https_port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.1)
            yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", tmp_path
        finally:
            proc.terminate()
            proc.wait(timeout=10)


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
