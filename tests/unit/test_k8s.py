"""The Kubernetes manifests: current with the code, built by kustomize for every overlay, valid
against Kubernetes' own schemas (offline), and admitting on the network exactly the calls the
role table allows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from shared.catalog import SERVICES
from shared.policy import SERVICE_CALLS
from tools import k8s

OVERLAYS = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "overlays"
KUBERNETES = "1.32.0"


def build(overlay: str) -> list[dict]:
    done = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAYS / overlay)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def test_the_base_is_what_the_code_says():
    assert k8s.main(["--check"]) == 0


@pytest.mark.parametrize(("overlay", "replicas"), [("production", 2), ("single-node", 1)])
def test_each_overlay_builds_and_is_valid(overlay, replicas):
    docs = build(overlay)
    by_kind: dict[str, list[dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
        if doc["apiVersion"].startswith("postgresql.cnpg.io/"):
            continue
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    names = {info.name for info in SERVICES}
    assert {d["metadata"]["name"] for d in by_kind["Deployment"]} == names
    assert {d["metadata"]["name"] for d in by_kind["PodDisruptionBudget"]} == names
    assert {d["metadata"]["name"] for d in by_kind["Cluster"]} == {f"{n}-db" for n in names}
    for deployment in by_kind["Deployment"]:
        assert deployment["spec"]["replicas"] == replicas
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert "client.healthcheck" in container["readinessProbe"]["exec"]["command"]
        assert "client.healthcheck" in container["livenessProbe"]["exec"]["command"]
        database = next(e for e in container["env"] if e["name"] == "DATABASE_URL")
        assert database["valueFrom"]["secretKeyRef"]["name"] == f"{deployment['metadata']['name']}-db-app"
    assert {c["spec"]["instances"] for c in by_kind["Cluster"]} == {replicas}
    # Headless, so DNS names every replica and the clients balance over them.
    assert {s["spec"]["clusterIP"] for s in by_kind["Service"]} == {"None"}


def test_the_network_admits_between_services_exactly_the_calls_the_role_table_allows():
    # EventService is served by two offices; a call to it reaches whichever the caller names.
    allowed = {
        (caller, server)
        for caller, paths in SERVICE_CALLS.items()
        for path in paths
        for server in {info.name for info in SERVICES if path.lstrip("/").split("/")[0] in info.grpc_services}
        if server != caller
    }
    admitted = set()
    for policy in build("production"):
        if policy["kind"] != "NetworkPolicy" or "ingress" not in policy["spec"]:
            continue
        target = policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for rule in policy["spec"]["ingress"]:
            for source in rule["from"]:
                component = (
                    source.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component")
                )
                if component:
                    admitted.add((component, target))
    assert admitted == allowed
