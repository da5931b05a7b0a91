"""The event feed (事件订阅): each office's outbox of what happened to its records, read in commit order."""
