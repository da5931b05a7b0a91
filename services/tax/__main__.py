"""Runs the tax service: `python -m services.tax`."""

from services.tax.app import register
from shared.runtime import main

main("tax", register)
