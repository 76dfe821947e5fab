"""Migration 0007 on SQLite and PostgreSQL: incidents handled by earlier versions get back what their creator gave."""

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from harness import postgres
from opencoc.core.migrate import MIGRATIONS

_names = itertools.count(1)
meta = sa.MetaData()
tenants = sa.Table(
    "tenants", meta, sa.Column("id", sa.Integer), sa.Column("name", sa.String), sa.Column("domain_id", sa.String),
    sa.Column("created_at", sa.BigInteger),
)  # fmt: skip
incidents = sa.Table(
    "incidents", meta, *(sa.Column(c, sa.String) for c in (
        "incident_num", "incident_level", "incident_type", "incident_title", "incident_description",
        "incident_source", "assignee_scene", "assignee_role", "creator", "status", "acceptor", "solution_mtm_type",
    )),
    sa.Column("id", sa.Integer), sa.Column("tenant_id", sa.Integer), sa.Column("is_service_interrupt", sa.Boolean),
    sa.Column("solution_is_service_interrupt", sa.Boolean),
    *(sa.Column(c, sa.JSON) for c in ("region", "enterprise_project", "current_cloud_service", "incident_assignee")),
    *(sa.Column(c, sa.BigInteger) for c in (
        "start_time", "solution_start_time", "handle_time", "create_time", "update_time",
    )),
)  # fmt: skip
history = sa.Table(
    "incident_history", meta, sa.Column("tenant_id", sa.Integer), sa.Column("incident_num", sa.String),
    sa.Column("operator", sa.String), sa.Column("operate_key", sa.String), sa.Column("operate_time", sa.BigInteger),
    sa.Column("parameter", sa.JSON),
)  # fmt: skip
OLD_COLUMNS = [c.name for c in incidents.columns if c.name not in ("acceptor",) and not c.name.startswith("solution_")]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server: postgres.PgServer | None = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    yield server.create_database(f"migration_{next(_names)}")


def _migrate(url: str, revision: str) -> None:
    """Upgrade on a connection of our own, as core/migrate.py does (env.py's own engine is never disposed)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
    finally:
        engine.dispose()


def _incident(num: str, status: str, **values: Any) -> dict[str, Any]:
    row = {
        "id": int(num[2:]), "tenant_id": 1, "incident_num": num, "incident_level": "level_30",
        "incident_type": "inc_type_p_security_issues", "incident_title": "t", "incident_description": "",
        "incident_source": "incident_source_manual", "assignee_scene": None, "assignee_role": None,
        "creator": "u-creator", "status": status, "is_service_interrupt": False, "region": [],
        "enterprise_project": [], "current_cloud_service": [], "incident_assignee": ["u-oncall"],
        "start_time": None, "handle_time": None, "create_time": 1, "update_time": 1,
    }  # fmt: skip
    return {k: v for k, v in (row | values).items() if k in OLD_COLUMNS}


def _history(num: str, operate_key: str, operator: str, parameter: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenant_id": 1, "incident_num": num, "operator": operator, "operate_key": operate_key, "operate_time": 1,
        "parameter": parameter,
    }  # fmt: skip


CREATED = {
    "incident_type": "inc_type_p_security_issues",
    "is_service_interrupt": False,
    "incident_assignee": ["u-oncall"],
}
SOLUTION = {"mtm_type": "inc_type_p_config_issues", "is_service_interrupt": True, "cause": "c", "solution": "s"}


def test_upgrade_moves_solution_values_off_the_creators_fields(url: str) -> None:
    _migrate(url, "0006_jobs")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(tenants.insert(), [{"id": 1, "name": "t", "domain_id": "d" * 32, "created_at": 1}])
        # as 0006 left them: the solution wrote over the creator's type, flag and start time
        conn.execute(
            incidents.insert(),
            [
                _incident("IM1", "INCIDENT_STATUS_COMPLETED", incident_type="inc_type_p_config_issues",
                          is_service_interrupt=True, start_time=1_700_000_000_000, handle_time=5),
                _incident("IM2", "INCIDENT_STATUS_ACKNOWLEDGED", incident_assignee=["u-7"],
                          assignee_scene="s", assignee_role="r"),
                _incident("IM3", "INCIDENT_STATUS_TRIGGERED"),
                _incident("IM4", "INCIDENT_STATUS_RESOLVED", incident_type="inc_type_p_config_issues",
                          start_time=1_600_000_000_000, handle_time=5, is_service_interrupt=True),
            ],
        )  # fmt: skip
        conn.execute(
            history.insert(),
            [
                _history("IM1", "create", "u-creator", CREATED),
                _history("IM1", "acceptedIncident1", "u-oncall", {}),
                _history("IM1", "commitSolution1", "u-oncall", {**SOLUTION, "start_time": 1_700_000_000_000}),
                _history("IM2", "create", "u-creator", {**CREATED, "incident_assignee": None}),
                _history("IM2", "acceptedIncident1", "u-7", {}),
                _history("IM3", "create", "u-creator", CREATED),
                _history("IM4", "create", "u-creator",
                         {**CREATED, "is_service_interrupt": True, "start_time": 1_600_000_000_000}),
                _history("IM4", "acceptedIncident1", "u-oncall", {}),
                _history("IM4", "commitSolution1", "u-oncall", SOLUTION),
            ],
        )  # fmt: skip

    _migrate(url, "head")

    with engine.connect() as conn:
        rows = {r["incident_num"]: r for r in conn.execute(sa.select(incidents)).mappings()}
    engine.dispose()
    restored = ("incident_type", "is_service_interrupt", "start_time", "incident_assignee", "acceptor")
    moved = ("solution_mtm_type", "solution_is_service_interrupt", "solution_start_time")
    assert [rows["IM1"][c] for c in restored] == ["inc_type_p_security_issues", False, None, ["u-oncall"], "u-oncall"]
    assert [rows["IM1"][c] for c in moved] == ["inc_type_p_config_issues", True, 1_700_000_000_000]
    assert [rows["IM2"][c] for c in restored] == ["inc_type_p_security_issues", False, None, [], "u-7"]
    assert [rows["IM2"][c] for c in moved] == [None, None, None], "no solution yet"
    assert [rows["IM3"][c] for c in (*restored, *moved)] == [
        "inc_type_p_security_issues", False, None, ["u-oncall"], None, None, None, None,
    ]  # fmt: skip
    assert [rows["IM4"][c] for c in restored] == [
        "inc_type_p_security_issues", True, 1_600_000_000_000, ["u-oncall"], "u-oncall",
    ]  # fmt: skip
    assert [rows["IM4"][c] for c in moved] == ["inc_type_p_config_issues", True, 1_600_000_000_000]


def test_upgrade_counts_the_orders_of_each_script(url: str) -> None:
    _migrate(url, "0006_jobs")
    scripts = sa.Table(
        "scripts", sa.MetaData(), *(sa.Column(c, sa.String) for c in (
            "script_uuid", "name", "type", "description", "status", "risk_level", "version", "creator", "creator_id",
            "operator",
        )),
        sa.Column("id", sa.Integer), sa.Column("tenant_id", sa.Integer), sa.Column("reviewers", sa.JSON),
        sa.Column("tags", sa.JSON), sa.Column("current_version_id", sa.Integer),
        sa.Column("gmt_created", sa.BigInteger), sa.Column("gmt_modified", sa.BigInteger),
    )  # fmt: skip
    orders = sa.Table(
        "script_orders", sa.MetaData(), *(sa.Column(c, sa.String) for c in (
            "execute_uuid", "script_uuid", "script_name", "script_version_name", "script_type", "content",
            "execute_user", "status", "creator", "creator_id",
        )),
        *(sa.Column(c, sa.Integer) for c in (
            "tenant_id", "script_version_id", "timeout", "total_batches", "current_batch_index",
        )),
        sa.Column("params", sa.JSON), sa.Column("success_rate", sa.Float), sa.Column("gmt_created", sa.BigInteger),
    )  # fmt: skip
    script = {
        "tenant_id": 1, "type": "SHELL", "description": "d", "status": "APPROVED", "risk_level": "LOW",
        "version": "1", "creator": "a", "creator_id": "a", "operator": "a", "reviewers": [], "tags": [],
        "current_version_id": 1, "gmt_created": 1, "gmt_modified": 1,
    }  # fmt: skip
    order = {
        "tenant_id": 1, "script_name": "n", "script_version_name": "1", "script_type": "SHELL", "content": "x",
        "execute_user": "root", "status": "FINISHED", "creator": "a", "creator_id": "a", "script_version_id": 1,
        "timeout": 60, "total_batches": 1, "current_batch_index": 1, "params": [], "success_rate": 100.0,
        "gmt_created": 1,
    }  # fmt: skip
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(tenants.insert(), [{"id": 1, "name": "t", "domain_id": "d" * 32, "created_at": 1}])
        conn.execute(
            scripts.insert(),
            [script | {"id": 1, "script_uuid": "SC-used", "name": "used"},
             script | {"id": 2, "script_uuid": "SC-idle", "name": "idle"}],
        )  # fmt: skip
        conn.execute(orders.insert(), [order | {"execute_uuid": f"SCT{i}", "script_uuid": "SC-used"} for i in range(3)])

    _migrate(url, "head")

    with engine.connect() as conn:
        counts = dict(conn.execute(sa.text("SELECT script_uuid, usage_count FROM scripts")).all())
    engine.dispose()
    assert counts == {"SC-used": 3, "SC-idle": 0}
