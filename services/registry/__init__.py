"""The registry service (不动产登记簿)."""
