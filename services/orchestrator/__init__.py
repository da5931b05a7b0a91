"""The orchestrator service (一件事)."""
