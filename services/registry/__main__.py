"""Runs the registry service: `python -m services.registry`."""

from services.registry.app import register
from shared.runtime import main

main("registry", register)
