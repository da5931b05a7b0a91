"""A transparency-log witness (c2sp.org/tlog-witness), run by a party independent of the registry."""
