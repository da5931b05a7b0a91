"""Runs the contract service: `python -m services.contract`."""

from services.contract.app import register
from shared.runtime import main

main("contract", register)
