"""The clerks' statutory time limits as a metric: open cases past their due time, by kind."""

from __future__ import annotations

from shared.metrics import grouped_counts
from shared.runtime import ServiceDeps

OPEN_STATES = ("LODGED", "REQUISITIONED", "APPROVED")


def watch_time_limits(deps: ServiceDeps) -> None:
    """Adds `deedflow_cases_overdue{kind}`: open cases whose working-day limit (条例 20) has
    passed, counted when scraped by the service's own clock."""
    if deps.metrics is None:
        return
    deps.metrics.add_live_gauge(
        "deedflow_cases_overdue",
        "Open registration cases past their statutory time limit (条例 20), by kind.",
        ["kind"],
        lambda: grouped_counts(
            deps.database,
            "SELECT kind, count(*) FROM registry_case WHERE state = ANY($1) AND due_time < $2 GROUP BY kind",
            list(OPEN_STATES),
            deps.clock.now(),
        ),
    )
