"""docker-compose.yml parses and runs every service from one image with the right command,
ports (gRPC and metrics) and health check, gated on PostgreSQL and the PKI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from shared.catalog import SERVICE_NAMES, service_info
from shared.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_names_postgres_pki_and_every_service(compose):
    assert set(compose["services"]) == {"postgres", "pki", *SERVICE_NAMES}


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_service_command_port_and_health(compose, name):
    service = compose["services"][name]
    port = service_info(name).default_port
    assert service["command"] == ["deedflow", "serve", name]
    metrics = port + Settings().metrics_port_offset
    assert service["ports"] == [f"127.0.0.1:{port}:{port}", f"127.0.0.1:{metrics}:{metrics}"]
    assert service["healthcheck"]["test"] == [
        "CMD",
        "python",
        "-m",
        "client.healthcheck",
        name,
        f"127.0.0.1:{port}",
    ]
    assert service["build"] == "."
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["depends_on"]["pki"]["condition"] == "service_completed_successfully"


def test_peers_are_addressed_by_service_name(compose):
    addresses = json.loads(compose["services"]["orchestrator"]["environment"]["DEEDFLOW_ADDRESSES"])
    assert addresses == {name: f"{name}:{service_info(name).default_port}" for name in SERVICE_NAMES}


def test_every_service_uses_the_one_image(compose):
    images = {compose["services"][name]["image"] for name in (*SERVICE_NAMES, "pki")}
    assert images == {"deedflow:dev"}
