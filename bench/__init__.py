"""Benchmarks that print figures; never assertions."""
