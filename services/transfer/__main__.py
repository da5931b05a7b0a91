"""Runs the transfer service: `python -m services.transfer`."""

from services.transfer.app import register
from shared.runtime import main

main("transfer", register)
