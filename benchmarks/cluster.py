"""Northstar as deploy/ runs it, on this machine (issue 37): N app processes (deploy/systemd/northstar@.service's
command) behind the shipped nginx site (deploy/nginx/northstar.conf) with only its paths, ports and certificate put
to this machine's — over TLS with a throwaway certificate, sticky by the ns_route cookie. tests/test_deploy.py
checks it; benchmarks/load.py --processes N drives readers through it.

    with cluster(Path("data/warehouse.duckdb"), processes=2) as c:
        c.url          # https://127.0.0.1:<port>/northstar
        c.pids         # the app processes
        c.routes()     # (request, status, upstream, route cookie) per line of nginx's access log
"""
from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# what the test and the benchmark read from nginx's access log: the request, its status, the process it reached
# and the browser's route cookie
LOG_FORMAT = "log_format routed '$request|$status|$upstream_addr|$cookie_ns_route';"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site(folder: Path, app_ports: list[int], https_port: int, http_port: int) -> Path:
    """An nginx main config around the shipped site in `folder`: a throwaway certificate, the upstream's `server`
    lines replaced by one per app port, free listening ports on 127.0.0.1. Returns the main config's path."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    text = (DEPLOY / "nginx" / "northstar.conf").read_text(encoding="utf-8")
    servers = re.findall(r"^ *server 127\.0\.0\.1:\d+;\n", text, flags=re.M)
    assert servers, "the shipped site names no app process"
    text = text.replace("".join(servers), "".join(f"    server 127.0.0.1:{p};\n" for p in app_ports))
    text = (text.replace("/etc/ssl/certs/northstar.example.com.pem", str(folder / "cert.pem"))
            .replace("/etc/ssl/private/northstar.example.com.key", str(folder / "key.pem"))
            .replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
            .replace("listen 80;", f"listen 127.0.0.1:{http_port};"))
    assert text.count(str(folder)) == 2 and all(f"127.0.0.1:{p};" in text for p in app_ports)
    (folder / "site.conf").write_text(text, encoding="utf-8")
    for sub in ("body", "proxy", "logs"):
        (folder / sub).mkdir(exist_ok=True)
    main = folder / "nginx.conf"
    main.write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log;
events {{ worker_connections 1024; }}
http {{
    {LOG_FORMAT}
    access_log {folder}/logs/access.log;
    access_log {folder}/logs/routes.log routed;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/proxy; uwsgi_temp_path {folder}/proxy; scgi_temp_path {folder}/proxy;
    include {folder}/site.conf;
}}
""", encoding="utf-8")
    return main


@dataclass
class Cluster:
    url: str                 # https://127.0.0.1:<port>/northstar
    http: str                # the plain-HTTP address (redirects to HTTPS)
    folder: Path
    ports: list[int]
    pids: list[int]

    def routes(self) -> list[tuple[str, str, str, str]]:
        """(request, status, upstream address, route cookie) of every request nginx has logged so far."""
        path = self.folder / "logs" / "routes.log"
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        return [tuple(line.split("|", 3)) for line in lines if line.count("|") >= 3]


@contextlib.contextmanager
def cluster(db: Path, processes: int = 2, folder: Path | None = None, **env: str):
    """`processes` app processes on free ports under /northstar/ and nginx in front of them (see the module)."""
    import tempfile

    from pipelines.delivery.render import app_server

    owned = folder is None
    folder = Path(tempfile.mkdtemp(prefix="northstar-cluster-")) if owned else folder
    ports = [free_port() for _ in range(processes)]
    https_port, http_port = free_port(), free_port()
    main = site(folder, ports, https_port, http_port)
    with contextlib.ExitStack() as stack:
        pids = [stack.enter_context(app_server(Path(db), port=port, base_path="northstar", timeout=120, **env)).pid
                for port in ports]
        proc = subprocess.Popen([NGINX, "-c", str(main), "-p", str(folder), "-g", "daemon off;"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", https_port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"nginx stopped: {proc.stdout.read().decode(errors='replace')}") from None
                    time.sleep(0.1)
            yield Cluster(f"https://127.0.0.1:{https_port}/northstar", f"http://127.0.0.1:{http_port}", folder, ports,
                          pids)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            if owned:
                shutil.rmtree(folder, ignore_errors=True)

