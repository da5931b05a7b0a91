"""Settings read from DEEDFLOW_* environment variables (and DATABASE_URL) with pydantic-settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.catalog import SERVICE_NAMES, service_info


class Settings(BaseSettings):
    """Everything a deedflow process can be told from outside. See README, "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="DEEDFLOW_", extra="ignore")

    # Where the development CA, the embedded PostgreSQL and the run state live.
    home: Path = Path(".deedflow")
    # With no database URL, an embedded PostgreSQL is started under {home}/pg.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "DEEDFLOW_DATABASE_URL")
    )
    # Per-office databases, when the offices do not share one server, e.g.
    # DEEDFLOW_DATABASE_URLS='{"registry": "postgresql://registry-db/deedflow"}'; an office not
    # named uses DATABASE_URL (or the embedded server). No office reads another's tables.
    database_urls: dict[str, str] = {}
    # Address services bind to and the host peers are reached at.
    bind_host: str = "127.0.0.1"
    # Per-service overrides of "host:port", e.g. DEEDFLOW_ADDRESSES='{"registry": "registry:50056"}'.
    addresses: dict[str, str] = {}
    # Per-service port overrides, e.g. DEEDFLOW_PORTS='{"contract": 0}'.
    ports: dict[str, int] = {}
    # A PKI folder supplied by production; by default the development CA under {home}/pki.
    pki_dir: Path | None = None
    # Default deadline of an outgoing call, seconds.
    call_timeout_seconds: float = 10.0
    # Grace given to in-flight calls on SIGTERM, seconds.
    shutdown_grace_seconds: float = 5.0
    # Connections per service process.
    db_pool_min: int = 1
    db_pool_max: int = 8
    log_level: str = "INFO"
    # Log one JSON line per call.
    access_log: bool = True
    # Each service serves Prometheus metrics over HTTP at its gRPC port plus this offset
    # (50056 -> 51056); a service on port 0 takes any free port for its metrics too.
    metrics_port_offset: int = 1000
    # Per-service metrics ports, when the offset does not suit a deployment, e.g.
    # DEEDFLOW_METRICS_PORTS='{"registry": 9100}' (0: any free port).
    metrics_ports: dict[str, int] = {}
    # The metrics endpoint is private by default (loopback); a deployment that scrapes from
    # another host sets DEEDFLOW_METRICS_HOST to the address its scraper reaches.
    metrics_host: str = "127.0.0.1"
    # Concurrent WatchPurchase streams one caller may hold (RESOURCE_EXHAUSTED beyond).
    max_watches_per_caller: int = 1000
    # An OpenTelemetry collector's OTLP/gRPC address ("host:4317"): spans are exported there.
    # Empty (the default): tracing is off and costs nothing.
    otlp_endpoint: str = ""
    # The collector speaks plain gRPC (one beside the service, e.g. a sidecar), not TLS.
    otlp_insecure: bool = False
    # Concurrent WatchEvents streams one caller may hold (RESOURCE_EXHAUSTED beyond).
    max_event_watches_per_caller: int = 16
    # How long the event feed keeps an event (shared/events); older cursors are refused.
    events_retention_days: float = 90.0
    # How often an office prunes its feed of events past their retention, seconds.
    events_prune_seconds: float = 3600.0

    @property
    def pki_path(self) -> Path:
        return self.pki_dir if self.pki_dir is not None else self.home / "pki"

    def port_of(self, service: str) -> int:
        return self.ports.get(service, service_info(service).default_port)

    def metrics_port_of(self, service: str) -> int:
        if service in self.metrics_ports:
            return self.metrics_ports[service]
        port = self.port_of(service)
        return port + self.metrics_port_offset if port else 0

    def address_of(self, service: str) -> str:
        """Where peers reach a service: an explicit address, else the bind host and port."""
        if service in self.addresses:
            return self.addresses[service]
        return f"{self.bind_host}:{self.port_of(service)}"

    def check(self) -> None:
        unknown = set(self.ports) | set(self.addresses)
        unknown -= set(SERVICE_NAMES)
        if unknown:
            raise ValueError(f"unknown services in settings: {sorted(unknown)}")
