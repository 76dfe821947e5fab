"""Apply the Alembic migrations shipped in `opencoc/migrations` (on every server start)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from opencoc.core.db import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_PG_LOCK = 0x0C0C  # advisory lock id: replicas starting together migrate one at a time


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def upgrade(db: Database) -> None:
    """Bring the schema to head; safe to call from several processes at once (servers, replicas, the admin CLI)."""
    with db.write_lock(), db.write_engine.connect() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK})
            conn.commit()
        try:
            cfg = alembic_config(db)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        finally:
            if not db.is_sqlite:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK})
                conn.commit()
