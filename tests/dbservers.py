"""Throwaway PostgreSQL and MariaDB servers for the pull tests: each in its own temporary folder, on a free port of
127.0.0.1, with a password account, started by the test and stopped after it. Nothing of the machine's own
services is used or touched. `.ci/run` installs the servers (Debian's `postgresql` and `mariadb-server`); without
them the tests fail with the command that installs them (they are never skipped)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD, DATABASE = "northstar", "s3cret-pw", "company"
INSTALL = "apt-get install -y postgresql mariadb-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _need(path: str | None, what: str) -> str:
    if not path or not Path(path).exists():
        raise RuntimeError(f"{what} is not installed: {INSTALL}")
    return path


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return Path(_need(str(found[-1]) if found else shutil.which("initdb"), "PostgreSQL (initdb)")).parent


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    """PostgreSQL and MariaDB refuse to run as root: as root, run them as their Debian system user."""
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


def _wait_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not listen on {port} within {seconds:.0f} s")


@dataclass
class Server:
    engine: str                 # postgresql | mysql
    port: int
    proc: subprocess.Popen
    folder: Path
    client: list[str]           # the command-line client, signed in to DATABASE

    @property
    def url(self) -> str:
        scheme = "postgresql" if self.engine == "postgresql" else "mysql"
        return f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def sql(self, text: str) -> str:
        """Runs SQL through the server's own command-line client; returns what it printed."""
        done = subprocess.run(self.client, input=text, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"{self.engine} said: {done.stderr.strip()}")
        return done.stdout

    def row(self, text: str) -> list[str]:
        """The first row a query returns, as text (both clients print tab-separated values)."""
        return self.sql(text).splitlines()[0].split("\t")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def _folder(kind: str) -> Path:
    """A fresh folder of its own under /tmp: as root the server runs as its system user, who cannot enter
    pytest's root-only temporary folders."""
    return Path(tempfile.mkdtemp(prefix=f"northstar-{kind}-"))


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def start_postgres() -> Server:
    bin_dir = _pg_bin()
    owner = "postgres" if os.geteuid() == 0 else None
    folder = _folder("postgres")
    data, log = folder / "data", folder / "server.log"
    (folder / "pw").write_text(PASSWORD)
    if owner:
        shutil.chown(folder, owner)
        shutil.chown(folder / "pw", owner)
        folder.chmod(0o700)
    _run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(folder / "pw"),
                    "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"], owner))
    port = free_port()
    with open(log, "w") as fh:
        if owner:
            shutil.chown(log, owner)
        proc = subprocess.Popen(_as_owner([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                                           "-c", "listen_addresses=127.0.0.1", "-c",
                                               f"unix_socket_directories={folder}",
                                           "-c", "fsync=off"], owner), stdout=fh, stderr=subprocess.STDOUT)
    _wait_port(port, proc, log)
    env_pw = {**os.environ, "PGPASSWORD": PASSWORD}
    psql = str(bin_dir / "psql") if (bin_dir / "psql").exists() else shutil.which("psql")
    base = [psql, "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-F", "\t"]
    for _ in range(50):                      # the port opens a moment before the server takes connections
        if subprocess.run([*base, "-d", "postgres", "-c", "select 1"], env=env_pw, capture_output=True).returncode == 0:
            break
        time.sleep(0.2)
    subprocess.run([*base, "-d", "postgres", "-c", f"create database {DATABASE}"], env=env_pw, check=True,
                   capture_output=True)
    os.environ.setdefault("PGPASSWORD", PASSWORD)
    return Server("postgresql", port, proc, folder, ["env", f"PGPASSWORD={PASSWORD}", *base, "-d", DATABASE])


def start_mariadb() -> Server:
    mariadbd = _need(shutil.which("mariadbd") or "/usr/sbin/mariadbd", "MariaDB (mariadbd)")
    install = _need(shutil.which("mariadb-install-db"), "MariaDB (mariadb-install-db)")
    client = _need(shutil.which("mariadb"), "MariaDB's client (mariadb)")
    owner = "mysql" if os.geteuid() == 0 else None
    folder = _folder("mariadb")
    data, log, sock = folder / "data", folder / "server.log", folder / "mysqld.sock"
    if owner:
        shutil.chown(folder, owner)
    _run(_as_owner([install, "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=socket",
                    "--skip-test-db"], owner))
    port = free_port()
    with open(log, "w") as fh:
        if owner:
            shutil.chown(log, owner)
        proc = subprocess.Popen(_as_owner([mariadbd, "--no-defaults", f"--datadir={data}", f"--port={port}",
                                           "--bind-address=127.0.0.1", f"--socket={sock}", f"--pid-file={folder}/pid",
                                           "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0",
                                           "--character-set-server=utf8mb4"], owner),
                                stdout=fh, stderr=subprocess.STDOUT)
    _wait_port(port, proc, log)
    root = _as_owner([client, f"--socket={sock}", "-u", owner or os.environ.get("USER", "root")], owner)
    setup = (f"create database {DATABASE} character set utf8mb4;"
             f"create user '{USER}'@'127.0.0.1' identified by '{PASSWORD}';"
             f"grant all on {DATABASE}.* to '{USER}'@'127.0.0.1';")
    for _ in range(50):
        done = subprocess.run(root, input=setup, capture_output=True, text=True)
        if done.returncode == 0:
            break
        time.sleep(0.2)
    else:
        raise RuntimeError(f"MariaDB would not take the setup: {done.stderr.strip()}")
    base = [client, "-h", "127.0.0.1", f"-P{port}", "-u", USER, f"-p{PASSWORD}", "--batch", "--skip-column-names",
            "--local-infile=1", DATABASE]
    return Server("mysql", port, proc, folder, base)
