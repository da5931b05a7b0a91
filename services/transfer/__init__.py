"""The transfer service (首次登记 / 转移登记)."""
