"""Ports: one another process holds is named with its holder, in one line, where a bare "Address
already in use" used to end a service's start; metrics ports can be set per service."""

from __future__ import annotations

import os
import socket

import pytest

from shared.config import Settings
from shared.metrics import ServiceMetrics
from shared.ports import PortInUse, holder_of


@pytest.fixture
def taken_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def test_the_holder_of_a_listening_port_is_named(taken_port):
    assert holder_of(taken_port).startswith(f"pid {os.getpid()} (")


def test_a_metrics_port_in_use_says_which_and_by_whom(taken_port):
    metrics = ServiceMetrics("tax")
    with pytest.raises(PortInUse) as refused:
        metrics.serve("127.0.0.1", taken_port)
    message = refused.value.strerror
    assert f"tax metrics: port {taken_port} on 127.0.0.1 is already in use by pid {os.getpid()}" in message


def test_a_free_port_has_no_holder():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert holder_of(free) is None


def test_metrics_ports_follow_the_offset_unless_a_service_is_given_its_own(monkeypatch):
    monkeypatch.setenv("DEEDFLOW_METRICS_PORTS", '{"registry": 9100}')
    monkeypatch.setenv("DEEDFLOW_METRICS_PORT_OFFSET", "2000")
    settings = Settings()
    assert settings.metrics_port_of("registry") == 9100
    assert settings.metrics_port_of("tax") == settings.port_of("tax") + 2000
