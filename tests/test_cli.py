"""The command line: help for every command, one clear error line and exit 2 on failure, the summary on success."""
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_raw

ROOT = Path(__file__).resolve().parents[1]


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.mark.parametrize("command", ["sample", "build"])
def test_every_command_has_help_with_an_example(command):
    out = run(command, "--help")
    assert out.returncode == 0
    assert "example:" in out.stdout


def test_build_error_is_one_clear_line(tmp_path):
    out = run("build", "--raw", str(tmp_path / "nowhere"), "--db", str(tmp_path / "wh.duckdb"))
    assert out.returncode == 2
    assert out.stderr.startswith("error: raw folder")
    assert "Traceback" not in out.stderr


def test_build_prints_the_per_file_summary(tmp_path):
    raw, config = make_raw(tmp_path)
    out = run("build", "--raw", str(raw), "--config", str(config), "--db", str(tmp_path / "wh.duckdb"),
              "--as-of", "2026-11-24", "--quiet")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.split()[:2] == ["orders", "orders.csv"] and line.split()[-3:] == ["8", "8", "0"] for line in lines)
    assert any(line.split()[0] == "total" and line.split()[-3:] == ["21", "21", "0"] for line in lines if line.strip())


def test_sample_writes_where_the_environment_points(tmp_path):
    import os

    env = dict(os.environ, NORTHSTAR_RAW=str(tmp_path / "exports"), NORTHSTAR_CONFIG=str(tmp_path / "plan"))
    out = run("sample", "--size", "tiny", env=env)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == [".northstar-sample.json", "members.parquet",
                                                                        "orders.parquet", "stations.parquet"]
    assert sorted(p.name for p in (tmp_path / "plan").iterdir()) == ["access.yaml", "channels.yaml", "goals.yaml",
                                                                       "org.yaml", "targets.csv"]
    again = run("sample", "--size", "tiny", "--if-missing", env=env)
    assert again.returncode == 0 and "nothing generated" in again.stdout


def test_a_reader_that_stops_early_is_not_an_error(tiny):
    """`tree … | head -3`: the pipe closes after three lines; the command ends quietly with 0, no 'error:'."""
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "tree", "--month", "2026-11", "--format", "json",
                             "--db", str(tiny / "wh.duckdb")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    assert first.strip() == b"{"
    assert proc.wait(timeout=120) == 0
    assert b"error" not in proc.stderr.read()
