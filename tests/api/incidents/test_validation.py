"""Create and handle validation: COC's messages, the 400 envelope, and nothing written on a 4xx."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencoc.core.db import Database
from opencoc.incidents.models import Incident, IncidentHistory
from tests.api.incidents.helpers import CREATE, HANDLE, create, create_body, define_scene, error, handle, show
from tests.support.signing import TenantKey


def _counts(db: Database, key: TenantKey) -> tuple[int, int]:
    """(incidents, history rows) of the tenant."""
    from opencoc.auth.models import Tenant

    with db.read() as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.name == key.name))
        incidents = session.scalar(select(func.count()).select_from(Incident).where(Incident.tenant_id == tenant_id))
        history = session.scalar(
            select(func.count()).select_from(IncidentHistory).where(IncidentHistory.tenant_id == tenant_id)
        )
    return int(incidents or 0), int(history or 0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"incident_level": "level_99"}, "The field[incident_level] value[level_99] invalid"),
        ({"incident_type": "inc_type_nope"}, "The field[incident_type] value[inc_type_nope] invalid"),
        ({"incident_source": "email"}, "The field[incident_source] value[email] invalid"),
        ({"is_service_interrupt": "maybe"}, "The field[is_service_interrupt] value[maybe] invalid"),
        ({"is_service_interrupt": 1}, "The field[is_service_interrupt] value[1] invalid"),
        ({"incident_title": "x" * 201}, "incidentTitle size must be between 0 and 200"),
        ({"incident_description": "x" * 601}, "incidentDescription size must be between 0 and 600"),
        ({"creator": "x" * 256}, "creator size must be between 0 and 255"),
        ({"creator": None}, "creator must not be null"),
        ({"creator": ""}, "creator must not be blank"),
        ({"incident_level": None}, "incidentLevel must not be null"),
        ({"incident_title": None}, "incidentTitle must not be null"),
        ({"region": ["a", "b"]}, "region size must be between 0 and 1"),
        ({"incident_assignee": ["a", "b"]}, "incidentAssignee size must be between 0 and 1"),
        ({"current_cloud_service": ["x" * 256]}, "currentCloudService size must be between 0 and 255"),
        ({"start_time": "soon"}, "The field[start_time] value[soon] invalid"),
        ({"start_time": -1}, "startTime must be between 0 and 9999999999999"),
        ({"incident_title": 5}, "The field[incident_title] value[5] invalid"),
        (
            {"incident_assignee": [], "assignee_scene": "s1", "assignee_role": ""},
            "incident_assignee, or both assignee_scene and assignee_role, must be set",
        ),
        (
            {"incident_assignee": None, "assignee_scene": None, "assignee_role": "r1"},
            "incident_assignee, or both assignee_scene and assignee_role, must be set",
        ),
    ],
)
def test_invalid_create_is_400_naming_field_and_rule(
    client: TestClient, db: Database, tenant: TenantKey, overrides: dict[str, Any], message: str
) -> None:
    code, msg = error(client.post(CREATE, json=create_body(**overrides), auth=tenant.auth))
    assert code == "COC.00000001"
    assert msg == message
    assert _counts(db, tenant) == (0, 0)


def test_every_failing_field_is_named(client: TestClient, tenant: TenantKey) -> None:
    _, msg = error(
        client.post(CREATE, json=create_body(incident_level="x", incident_title="t" * 300), auth=tenant.auth)
    )
    assert msg == "The field[incident_level] value[x] invalid | incidentTitle size must be between 0 and 200"


@pytest.mark.parametrize("flag", [True, False, "true", "false", "TRUE"])
def test_is_service_interrupt_accepts_bool_or_string_and_returns_bool(
    client: TestClient, tenant: TenantKey, flag: Any
) -> None:
    num = create(client, tenant, is_service_interrupt=flag)
    assert show(client, tenant, num).json()["data"]["is_service_interrupt"] is (str(flag).lower() == "true")


def test_scene_and_role_without_assignee_is_accepted(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "scene-1", {"role-1": ["u-oncall"]})
    num = create(client, tenant, incident_assignee=None, assignee_scene="scene-1", assignee_role="role-1")
    data = show(client, tenant, num).json()["data"]
    assert (data["incident_assignee"], data["assignee_scene"], data["assignee_role"]) == ([], "scene-1", "role-1")
    assert data["oncall_assignee"] == "u-oncall"


def test_seed_table_spelling_assignee_scenario_is_read_as_assignee_scene(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "s", {"r": ["u-oncall"]})
    num = create(client, tenant, incident_assignee=None, assignee_scene=None, assignee_scenario="s", assignee_role="r")
    assert show(client, tenant, num).json()["data"]["assignee_scene"] == "s"


def test_optional_fields_may_be_left_out(client: TestClient, tenant: TenantKey) -> None:
    num = create(
        client, tenant, region=None, enterprise_project=None, current_cloud_service=None, incident_description=None
    )
    data = show(client, tenant, num).json()["data"]
    assert (data["region"], data["enterprise_project"], data["current_cloud_service"]) == ([], [], [])
    assert data["incident_description"] == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[1, 2]", "request body must be a JSON object"),
        (b'"text"', "request body must be a JSON object"),
        (b"{not json", "request body is not valid JSON"),
    ],
)
def test_body_that_is_not_a_json_object_is_400(
    client: TestClient, db: Database, tenant: TenantKey, raw: bytes, message: str
) -> None:
    resp = client.post(CREATE, content=raw, headers={"Content-Type": "application/json"}, auth=tenant.auth)
    assert error(resp) == ("COC.00000001", message)
    assert _counts(db, tenant) == (0, 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"incident_num": "IM1", "operator": "o", "operate_key": "acceptedIncident 111"},
            "The field[operate_key] value[acceptedIncident 111] invalid",
        ),
        (
            {"incident_num": "I" * 256, "operator": "o", "operate_key": "acceptedIncident1"},
            "incidentNum size must be between 0 and 255",
        ),
        ({"incident_num": "IM1", "operate_key": "acceptedIncident1"}, "operator must not be null"),
        ({"incident_num": "IM1", "operator": "o"}, "operateKey must not be null"),
        (
            {"incident_num": "IM1", "operator": "o", "operate_key": "confirm", "parameter": "yes"},
            "The field[parameter] value[yes] invalid",
        ),
    ],
)
def test_invalid_handle_is_400_with_the_seed_messages(
    client: TestClient, tenant: TenantKey, body: dict[str, Any], message: str
) -> None:
    code, msg = error(client.post(HANDLE, json=body, auth=tenant.auth))
    assert (code, msg) == ("COC.00000001", message)


@pytest.mark.parametrize(
    ("operate_key", "parameter", "message"),
    [
        ("commitSolution1", {"mtm_type": "nope"}, "The field[parameter.mtm_type] value[nope] invalid"),
        ("commitSolution1", {"cause": "x" * 10001}, "parameter.cause size must be between 0 and 10000"),
        ("commitSolution1", {"solution": "x" * 10001}, "parameter.solution size must be between 0 and 10000"),
        ("commitSolution1", {"solution": None}, "parameter.solution must not be null"),
        (
            "commitSolution1",
            {"is_service_interrupt": "no"},
            "The field[parameter.is_service_interrupt] value[no] invalid",
        ),
        ("commitSolution1", {"start_time": "later"}, "The field[parameter.start_time] value[later] invalid"),
        (
            "commitSolution1",
            {"start_time": None},
            "parameter.start_time must not be null when is_service_interrupt is true",
        ),
        (
            "commitSolution1",
            {"fault_recovery_time": None},
            "parameter.fault_recovery_time must not be null when is_service_interrupt is true",
        ),
        (
            "commitSolution1",
            {"start_time": 2_000, "fault_recovery_time": 1_000},
            "parameter.fault_recovery_time must not be earlier than parameter.start_time",
        ),
        (
            "confirm",
            {"virtual_confirm_comment": "x" * 301},
            "parameter.virtualConfirmComment size must be between 0 and 300",
        ),
        (
            "confirm",
            {"virtual_confirm_result": "nah"},
            "The field[parameter.virtual_confirm_result] value[nah] invalid",
        ),
    ],
)
def test_invalid_parameter_is_400_and_changes_nothing(
    client: TestClient, db: Database, tenant: TenantKey, operate_key: str, parameter: dict[str, Any], message: str
) -> None:
    from tests.api.incidents.helpers import commit_parameter

    num = create(client, tenant)
    assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
    if operate_key == "confirm":
        assert handle(client, tenant, num, "commitSolution1", commit_parameter()).status_code == 200
        full = {"virtual_confirm_result": True, "virtual_confirm_comment": "ok", **parameter}
    else:
        full = commit_parameter(**parameter)
        full.update({k: v for k, v in parameter.items() if v is not None})
    before = show(client, tenant, num).json()["data"]
    history = _counts(db, tenant)
    code, msg = error(handle(client, tenant, num, operate_key, full))
    assert (code, msg) == ("COC.00000001", message)
    assert show(client, tenant, num).json()["data"] == before
    assert _counts(db, tenant) == history


def test_solution_without_interruption_needs_no_times(client: TestClient, tenant: TenantKey) -> None:
    from tests.api.incidents.helpers import commit_parameter

    num = create(client, tenant)
    assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
    parameter = commit_parameter(is_service_interrupt=False, start_time=None, fault_recovery_time=None)
    assert handle(client, tenant, num, "commitSolution1", parameter).status_code == 200
    data = show(client, tenant, num).json()["data"]
    assert data["is_service_interrupt"] is True, "the creator's flag stays"
    assert data["solution"]["is_service_interrupt"] is False and data["fault_recovery_time"] is None


def test_start_time_given_at_create_serves_the_solution(client: TestClient, tenant: TenantKey) -> None:
    from tests.api.incidents.helpers import commit_parameter

    num = create(client, tenant, start_time=1_700_000_000_000)
    assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
    assert handle(client, tenant, num, "commitSolution1", commit_parameter(start_time=None)).status_code == 200
    data = show(client, tenant, num).json()["data"]
    assert data["start_time"] == data["solution"]["start_time"] == 1_700_000_000_000
