"""Common runtime code that every deedflow service and tool imports."""
