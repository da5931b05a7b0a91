"""Runs the mortgage service: `python -m services.mortgage`."""

from services.mortgage.app import register
from shared.runtime import main

main("mortgage", register)
