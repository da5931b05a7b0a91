"""The clerks' statutory time limits as a metric (open cases past their due time, by kind), and
the lapse of applications whose requisition went unanswered."""

from __future__ import annotations

import asyncio
import logging

from shared.casework.service import CaseBook
from shared.dbhealth import database_unavailable
from shared.metrics import grouped_counts
from shared.runtime import ServiceDeps

log = logging.getLogger("deedflow.cases")
# How often an office looks for requisitions left unanswered past their period.
LAPSE_SWEEP_SECONDS = 60.0

OPEN_STATES = ("LODGED", "REQUISITIONED", "APPROVED")


def watch_cases(deps: ServiceDeps, book: CaseBook) -> None:
    """Lapses applications whose requisition went unanswered, in the background, and adds
    `deedflow_cases_overdue{kind}`: open cases whose working-day limit (条例 20) has passed,
    counted when scraped by the service's own clock."""
    deps.run_in_background(_lapse_forever(deps, book), "requisition-lapses")
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


async def _lapse_forever(deps: ServiceDeps, book: CaseBook) -> None:
    while True:
        try:
            lapsed = await book.lapse_unanswered(deps.database, deps.clock)
            if lapsed:
                log.info("requisitions lapsed", extra={"fields": {"cases": lapsed}})
        except Exception as exc:
            # The sweep is retried on the next round; only an unreachable database is expected.
            if not database_unavailable(exc):
                log.exception("requisition sweep failed")
        await asyncio.sleep(LAPSE_SWEEP_SECONDS)
