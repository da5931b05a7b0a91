"""The commands as a user runs them: `deedflow up` starts PostgreSQL-backed services as separate
processes over mTLS, `deedctl` talks to them, `deedflow down` and SIGTERM stop them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from shared.catalog import SERVICE_NAMES
from shared.runstate import process_alive, read
from tests.support import fresh_database, stack_env

BIN = Path(sys.executable).parent


def _run(command: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / command), *args], env=env, capture_output=True, text=True, timeout=180)


def _pids(home: Path) -> list[int]:
    return [json.loads((home / "run" / f"{s}.json").read_text())["pid"] for s in SERVICE_NAMES]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, server_url):
    """One detached stack shared by the read-only tests of this module."""
    home = tmp_path_factory.mktemp("stack") / "home"
    for database_url in fresh_database(server_url):
        env = stack_env(home, database_url)
        started = _run("deedflow", "up", "--detach", env=env)
        assert started.returncode == 0, started.stdout + started.stderr
        yield env, home, started.stdout
        _run("deedflow", "down", env=env)


def test_up_shows_every_service_serving_on_its_own_process(stack):
    env, home, output = stack
    for name in SERVICE_NAMES:
        assert name in output
    assert output.count("SERVING") == len(SERVICE_NAMES)
    assert output.count("/metrics") == len(SERVICE_NAMES), "deedflow up says where each service's metrics are"
    pids = _pids(home)
    assert len(set(pids)) == len(SERVICE_NAMES)
    assert (home / "pki" / "ca.pem").exists(), "the development CA is created on first start"
    status = _run("deedflow", "status", env=env)
    assert status.returncode == 0
    assert status.stdout.count("SERVING") == len(SERVICE_NAMES)


def test_each_service_process_serves_its_metrics(stack):
    _, home, _ = stack
    for service in SERVICE_NAMES:
        port = json.loads((home / "run" / f"{service}.json").read_text())["metrics_port"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            text = reply.read().decode()
        assert "# TYPE deedflow_grpc_requests_total counter" in text, service
        # `deedflow up` probed each service's health; the probe is counted like any call.
        assert f'service="{service}"' in text


def test_deedctl_health_and_whoami_over_mtls(stack):
    env, home, _ = stack
    health = _run("deedctl", "--json", "health", env=env)
    assert health.returncode == 0, health.stderr
    rows = json.loads(health.stdout)
    assert {row["service"]: row["state"] for row in rows} == dict.fromkeys(SERVICE_NAMES, "SERVING")
    table = _run("deedctl", "health", env=env)
    assert table.returncode == 0
    assert table.stdout.count("SERVING") == len(SERVICE_NAMES)

    whoami = _run("deedctl", "--json", "whoami", env=env)
    assert whoami.returncode == 0, whoami.stderr
    me = json.loads(whoami.stdout)
    assert me["identity"] == "deedflow://clerk/C0001"
    assert me["registry_answer"] == "SERVING"

    callers = home / "pki" / "callers"
    bank = _run(
        "deedctl",
        "--cert",
        str(callers / "bank-a.pem"),
        "--key",
        str(callers / "bank-a.key"),
        "--json",
        "whoami",
        env=env,
    )
    assert json.loads(bank.stdout)["role"] == "bank"


def test_deedctl_reports_unavailable_with_its_exit_code(stack):
    env, _, _ = stack
    refused = _run("deedctl", "--target", "127.0.0.1:9", "--json", "whoami", env=env)
    assert refused.returncode == 3
    assert json.loads(refused.stdout)["registry_answer"] == "UNAVAILABLE"


def test_down_stops_every_process(tmp_path, fresh_database_url):
    env = stack_env(tmp_path / "home", fresh_database_url)
    assert _run("deedflow", "up", "--detach", env=env).returncode == 0
    pids = _pids(tmp_path / "home")
    assert all(process_alive(pid) for pid in pids)
    down = _run("deedflow", "down", env=env)
    assert down.returncode == 0
    assert not any(process_alive(pid) for pid in pids)
    after = _run("deedflow", "status", env=env)
    assert after.returncode == 1
    assert after.stdout.count("STOPPED") == len(SERVICE_NAMES)


def test_down_also_stops_a_service_restarted_with_serve(tmp_path, fresh_database_url):
    home = tmp_path / "home"
    env = stack_env(home, fresh_database_url)
    assert _run("deedflow", "up", "--detach", env=env).returncode == 0
    first = read(home, "tax").pid
    os.kill(first, signal.SIGTERM)
    restarted = subprocess.Popen(
        [str(BIN / "deedflow"), "serve", "tax"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # The restarted service says when it has published itself, which is where `down` looks.
        for line in restarted.stderr:
            if '"message": "published"' in line:
                break
        assert read(home, "tax").pid == restarted.pid
        down = _run("deedflow", "down", env=env)
        assert down.returncode == 0, down.stdout + down.stderr
        assert restarted.wait(timeout=60) == 0
        assert not any(process_alive(pid) for pid in _pids_alive(home))
    finally:
        if restarted.poll() is None:
            restarted.kill()


def _pids_alive(home: Path) -> list[int]:
    return [r.pid for r in (read(home, s) for s in SERVICE_NAMES) if r is not None]


def test_foreground_up_stops_gracefully_on_sigterm(tmp_path, fresh_database_url):
    env = stack_env(tmp_path / "home", fresh_database_url)
    process = subprocess.Popen(
        [str(BIN / "deedflow"), "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "Ctrl-C or SIGTERM" in line:
            break
    assert "".join(lines).count("SERVING") == len(SERVICE_NAMES), "".join(lines)
    pids = _pids(tmp_path / "home")
    process.send_signal(signal.SIGTERM)
    rest = process.stdout.read()
    assert process.wait(timeout=60) == 0
    assert "deedflow stopped" in rest
    assert not any(process_alive(pid) for pid in pids)
    logs = (tmp_path / "home" / "logs" / "registry.log").read_text()
    assert '"message": "stopping"' in logs
    assert '"message": "stopped"' in logs


def test_psql_reaches_the_stacks_database_and_says_when_there_is_none(stack, tmp_path):
    env, _, _ = stack
    assert _run("deedflow", "psql", "--url", env=env).stdout.strip() == env["DATABASE_URL"]
    session = subprocess.run(
        [str(BIN / "deedflow"), "psql"],
        env=env,
        input="select count(*) as services from information_schema.schemata"
        " where schema_name in ('contract', 'registry', 'orchestrator');\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert session.returncode == 0, session.stderr
    assert session.stdout.split()[:3] == ["services", "----------", "3"]
    idle = {k: v for k, v in env.items() if k != "DATABASE_URL"} | {"DEEDFLOW_HOME": str(tmp_path)}
    refused = _run("deedflow", "psql", env=idle)
    assert refused.returncode == 1
    assert "not running" in refused.stdout
