"""The tax service (契税)."""
