"""The preregistration service (预告登记 / 预购商品房抵押预告登记)."""
