"""Runs a service's Alembic migrations to head, serialized across processes by an advisory lock."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

from shared.db import plain_url, sqlalchemy_url

ENV_DIR = Path(__file__).resolve().parent / "migrations"
SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def alembic_config(url: str, service: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ENV_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(SERVICES_DIR / service / "migrations"))
    config.attributes["schema"] = service
    config.attributes["url"] = sqlalchemy_url(url)
    return config


def _upgrade(url: str, service: str) -> None:
    command.upgrade(alembic_config(url, service), "head")


async def migrate(url: str, service: str) -> None:
    """Brings the service's schema to head. Several processes of one service may start at
    once; the advisory lock lets one migrate while the others wait, then find nothing to do."""
    lock_id = zlib.crc32(f"deedflow-migrate-{service}".encode())
    connection = await asyncpg.connect(plain_url(url))
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", lock_id)
        try:
            # Alembic's env runs its own event loop, so it gets a thread of its own.
            await asyncio.to_thread(_upgrade, url, service)
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", lock_id)
    finally:
        await connection.close()
