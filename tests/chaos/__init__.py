"""Chaos tests: processes killed mid-work; marked slow."""
