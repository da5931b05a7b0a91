"""The mortgage service (抵押登记 / 注销)."""
