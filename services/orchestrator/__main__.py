"""Runs the orchestrator service: `python -m services.orchestrator`."""

from services.orchestrator.app import register
from shared.runtime import main

main("orchestrator", register)
