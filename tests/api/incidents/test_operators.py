"""Who may do what (docs/incidents.md): assignees accept and solve; the creator or an assignee confirms."""

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import CREATOR, OWNER, commit_parameter, create, define_scene, error, handle, show
from tests.support.signing import TenantKey


def test_accept_by_someone_other_than_the_assignee_is_rejected(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    code, msg = error(handle(client, tenant, num, "acceptedIncident1", {}, operator="stranger"))
    assert code == "COC.00067005"
    assert "operator[stranger]" in msg and "assignee" in msg
    assert show(client, tenant, num).json()["data"]["status"] == "INCIDENT_STATUS_TRIGGERED"


def test_creator_who_is_not_assignee_may_not_accept(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    code, msg = error(handle(client, tenant, num, "acceptedIncident1", {}, operator=CREATOR))
    assert code == "COC.00067005"
    assert f"operator[{CREATOR}]" in msg and "assignee" in msg
    assert show(client, tenant, num).json()["data"]["status"] == "INCIDENT_STATUS_TRIGGERED"


def test_incident_assigned_by_scene_is_accepted_by_anyone_who_becomes_its_acceptor(
    client: TestClient, tenant: TenantKey
) -> None:
    define_scene(client, tenant, "scene", {"role": ["oncall-0"]})
    num = create(client, tenant, incident_assignee=None, assignee_scene="scene", assignee_role="role")
    assert handle(client, tenant, num, "acceptedIncident1", {}, operator="oncall-1").status_code == 200
    data = show(client, tenant, num).json()["data"]
    assert data["incident_assignee"] == [], "the creator assigned a scene and role, not a person"
    assert (data["assignee_scene"], data["assignee_role"], data["acceptor"]) == ("scene", "role", "oncall-1")
    code, msg = error(handle(client, tenant, num, "commitSolution1", commit_parameter(), operator="someone-else"))
    assert code == "COC.00067005" and "acceptor" in msg
    assert handle(client, tenant, num, "commitSolution1", commit_parameter(), operator="oncall-1").status_code == 200
    assert handle(client, tenant, num, "confirm", {}, operator="oncall-1").status_code == 200
    assert show(client, tenant, num).json()["data"]["incident_assignee"] == []


def test_acceptor_of_an_incident_with_an_assignee_is_that_assignee(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
    data = show(client, tenant, num).json()["data"]
    assert (data["incident_assignee"], data["acceptor"]) == ([OWNER], OWNER)


def test_only_an_assignee_commits_a_solution(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
    code, _ = error(handle(client, tenant, num, "commitSolution1", commit_parameter(), operator=CREATOR))
    assert code == "COC.00067005"
    assert show(client, tenant, num).json()["data"]["status"] == "INCIDENT_STATUS_ACKNOWLEDGED"
    assert handle(client, tenant, num, "commitSolution1", commit_parameter(), operator=OWNER).status_code == 200


def test_creator_or_assignee_confirms_but_nobody_else(client: TestClient, tenant: TenantKey) -> None:
    for confirmer in (CREATOR, OWNER):
        num = create(client, tenant)
        assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
        assert handle(client, tenant, num, "commitSolution1", commit_parameter()).status_code == 200
        code, _ = error(handle(client, tenant, num, "confirm", {}, operator="stranger"))
        assert code == "COC.00067005"
        assert handle(client, tenant, num, "confirm", {}, operator=confirmer).status_code == 200
        assert show(client, tenant, num).json()["data"]["status"] == "INCIDENT_STATUS_COMPLETED", confirmer
