"""The contract service (商品房买卖合同网签备案)."""
