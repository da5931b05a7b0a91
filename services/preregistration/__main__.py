"""Runs the preregistration service: `python -m services.preregistration`."""

from services.preregistration.app import register
from shared.runtime import main

main("preregistration", register)
