"""`opencoc serve` migrates the schema before it becomes the server process; the app migrates on start unless told."""

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from harness.server import LiveServer
from opencoc.app import create_app
from opencoc.config import Settings
from opencoc.core.migrate import MIGRATIONS


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _revisions(db_file: Path) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return []
            return [row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()


def test_serve_brings_an_older_schema_to_head_before_serving(tmp_path: Path) -> None:
    db_file = tmp_path / "opencoc.db"
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0006_jobs")
            conn.commit()
    finally:
        engine.dispose()
    assert _revisions(db_file) == ["0006_jobs"]

    server = LiveServer(tmp_path, None).start()
    try:
        assert _revisions(db_file) == [ScriptDirectory.from_config(_config()).get_current_head()]
        assert "Traceback" not in server.log_tail()
    finally:
        server.stop()


def test_the_app_leaves_the_schema_alone_when_told(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test-master-key", migrate_on_start=False)
    with TestClient(create_app(settings)):
        pass
    assert _revisions(tmp_path / "opencoc.db") == []

    with TestClient(create_app(settings.model_copy(update={"migrate_on_start": True}))):
        pass
    assert len(_revisions(tmp_path / "opencoc.db")) == 1
