"""The Alembic environment shared by every service; each service keeps its own versions."""
