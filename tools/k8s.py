"""Writes the Kubernetes base (deploy/k8s/base) from the service catalogue and the role table, so
the manifests never disagree with the code: one Deployment, headless Service and disruption budget
per service, one CloudNativePG cluster per office's database, and NetworkPolicies that admit to
each service only the services whose work calls it (SERVICE_CALLS) and, where a party's role may
call it, the partners' gateway.

    .venv/bin/python -m tools.k8s            # rewrite deploy/k8s/base
    .venv/bin/python -m tools.k8s --check    # exit 1 if it is not what the code says
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from shared.auth import Role
from shared.catalog import SERVICES, ServiceInfo
from shared.policy import POLICY, SERVICE_CALLS

BASE = Path(__file__).resolve().parent.parent / "deploy" / "k8s" / "base"
APP = "deedflow"
# The pods of partners' and clerks' systems (or the gateway they come through) carry this label.
CLIENT_LABEL = {"deedflow.io/client": "true"}
# Prometheus scrapes from a namespace with this label.
MONITORING_LABEL = {"deedflow.io/monitoring": "true"}
METRICS_PORT = 9100
PKI = "/var/run/deedflow/pki"


def _labels(service: str) -> dict:
    return {"app.kubernetes.io/name": APP, "app.kubernetes.io/component": service}


def _server_of(path: str) -> set[str]:
    """The services that serve an RPC path."""
    grpc_service = path.lstrip("/").split("/")[0]
    return {info.name for info in SERVICES if grpc_service in info.grpc_services}


def callers_of(service: str) -> list[str]:
    """Our services whose work calls this one."""
    return sorted(
        caller for caller, paths in SERVICE_CALLS.items() if any(service in _server_of(p) for p in paths)
    )


def open_to_parties(service: str) -> bool:
    """Whether some RPC it serves admits a role other than our own services."""
    return any(roles - {Role.SERVICE} for path, roles in POLICY.items() if service in _server_of(path))


def _pki_volume(info: ServiceInfo) -> dict:
    items = [
        {"key": "ca.pem", "path": "ca.pem"},
        {"key": "service.pem", "path": f"services/{info.name}.pem"},
        {"key": "service.key", "path": f"services/{info.name}.key"},
        {"key": "registry-log.pub", "path": "registry-log.pub"},
    ]
    if info.name == "registry":
        items.append({"key": "registry-log.key", "path": "services/registry-log.key"})
    return {"name": "pki", "secret": {"secretName": f"deedflow-pki-{info.name}", "items": items}}


def _probe(info: ServiceInfo, period: int) -> dict:
    # The kubelet's own gRPC probe speaks no mTLS; the service's health check over its own
    # certificate does (client/healthcheck.py).
    return {
        "exec": {
            "command": [
                "python",
                "-m",
                "client.healthcheck",
                info.name,
                f"127.0.0.1:{info.default_port}",
            ]
        },
        "periodSeconds": period,
        "timeoutSeconds": 5,
    }


def deployment(info: ServiceInfo) -> list[dict]:
    """The service's Deployment, its headless Service and its PodDisruptionBudget."""
    return [_deployment(info), _headless_service(info), _disruption_budget(info)]


def _container(info: ServiceInfo) -> dict:
    addresses = {
        other.name: f"dns:///{other.name}.$(POD_NAMESPACE).svc.cluster.local:{other.default_port}"
        for other in SERVICES
    }
    return {
        "name": info.name,
        "image": "deedflow:latest",
        "command": ["deedflow", "serve", info.name],
        "ports": [
            {"name": "grpc", "containerPort": info.default_port},
            {"name": "metrics", "containerPort": METRICS_PORT},
        ],
        "env": [
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
            {"name": "DEEDFLOW_BIND_HOST", "value": "0.0.0.0"},
            {"name": "DEEDFLOW_METRICS_HOST", "value": "0.0.0.0"},
            {"name": "DEEDFLOW_METRICS_PORTS", "value": json.dumps({info.name: METRICS_PORT})},
            {"name": "DEEDFLOW_PKI_DIR", "value": PKI},
            {"name": "DEEDFLOW_ADDRESSES", "value": json.dumps(addresses, sort_keys=True)},
            {
                "name": "DATABASE_URL",
                "valueFrom": {"secretKeyRef": {"name": f"{info.name}-db-app", "key": "uri"}},
            },
        ],
        "readinessProbe": _probe(info, 5),
        "livenessProbe": {**_probe(info, 20), "failureThreshold": 3},
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "pki", "mountPath": PKI, "readOnly": True},
            {"name": "home", "mountPath": "/var/lib/deedflow"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def _deployment(info: ServiceInfo) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": info.name, "labels": _labels(info.name)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": _labels(info.name)},
            "template": {
                "metadata": {"labels": _labels(info.name)},
                "spec": {
                    "containers": [_container(info)],
                    "securityContext": {"runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001},
                    "terminationGracePeriodSeconds": 30,
                    "volumes": [
                        _pki_volume(info),
                        {"name": "home", "emptyDir": {}},
                        {"name": "tmp", "emptyDir": {}},
                    ],
                },
            },
        },
    }


def _headless_service(info: ServiceInfo) -> dict:
    # Headless: DNS answers with every ready pod, which the clients balance over.
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": info.name, "labels": _labels(info.name)},
        "spec": {
            "clusterIP": "None",
            "selector": _labels(info.name),
            "ports": [{"name": "grpc", "port": info.default_port, "targetPort": "grpc"}],
        },
    }


def _disruption_budget(info: ServiceInfo) -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": info.name, "labels": _labels(info.name)},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": _labels(info.name)}},
    }


def database(info: ServiceInfo) -> dict:
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": f"{info.name}-db", "labels": _labels(info.name)},
        "spec": {
            "instances": 2,
            "storage": {"size": "20Gi"},
            "bootstrap": {"initdb": {"database": "deedflow", "owner": "deedflow"}},
        },
    }


def network_policies() -> list[dict]:
    policies: list[dict] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "deedflow-deny-by-default"},
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": APP}},
                "policyTypes": ["Ingress"],
            },
        }
    ]
    for info in SERVICES:
        sources = [
            {"podSelector": {"matchLabels": _labels(caller)}}
            for caller in callers_of(info.name)
            if caller != info.name
        ]
        if open_to_parties(info.name):
            sources.append({"namespaceSelector": {}, "podSelector": {"matchLabels": CLIENT_LABEL}})
        rules = [{"from": sources, "ports": [{"port": info.default_port}]}] if sources else []
        rules.append(
            {
                "from": [{"namespaceSelector": {"matchLabels": MONITORING_LABEL}}],
                "ports": [{"port": METRICS_PORT}],
            }
        )
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"{info.name}-ingress"},
                "spec": {
                    "podSelector": {"matchLabels": _labels(info.name)},
                    "policyTypes": ["Ingress"],
                    "ingress": rules,
                },
            }
        )
    return policies


def files() -> dict[str, str]:
    """File name -> YAML, for the whole base."""
    out = {f"{info.name}.yaml": yaml.safe_dump_all(deployment(info), sort_keys=False) for info in SERVICES}
    out["databases.yaml"] = yaml.safe_dump_all([database(info) for info in SERVICES], sort_keys=False)
    out["network-policies.yaml"] = yaml.safe_dump_all(network_policies(), sort_keys=False)
    header = (
        "# Generated by `python -m tools.k8s` from shared/catalog.py and shared/policy.py; do not edit.\n"
    )
    out = {name: header + text for name, text in out.items()}
    out["kustomization.yaml"] = header + yaml.safe_dump(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": sorted(out),
        },
        sort_keys=False,
    )
    return out


def main(argv: list[str]) -> int:
    wanted = files()
    if "--check" in argv:
        stale = [
            name
            for name, text in wanted.items()
            if not (BASE / name).is_file() or (BASE / name).read_text() != text
        ]
        extra = sorted(p.name for p in BASE.glob("*.yaml") if p.name not in wanted)
        if stale or extra:
            print(
                f"deploy/k8s/base is stale ({', '.join(stale + extra)}); run python -m tools.k8s",
                file=sys.stderr,
            )
            return 1
        return 0
    BASE.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        (BASE / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
