"""deedflow test suite."""
