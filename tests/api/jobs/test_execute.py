"""POST /v1/job/scripts/{script_uuid}: the seed's limits, parameters, targets and what is recorded."""

from typing import Any

import pytest
from sqlalchemy import select

from opencoc.jobs.models import ScriptOrder
from opencoc.scripts.models import Script
from tests.api.jobs.helpers import Fleet, batches, execute_body, param, target


def _error(fleet: Fleet, script_uuid: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = fleet.execute_raw(script_uuid, body)
    assert resp.status_code == 400, resp.text
    data: dict[str, Any] = resp.json()
    assert set(data) == {"error_code", "error_msg"}
    return data


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("timeout", 4, False),
        ("timeout", 5, True),
        ("timeout", 1800, True),
        ("timeout", 1801, False),
        ("success_rate", 0.9, False),
        ("success_rate", 1, True),
        ("success_rate", 99.9, True),
        ("success_rate", 99.95, False),
        ("success_rate", "100.0", True),
        ("success_rate", 100.1, False),
        ("execute_user", "u" * 32, True),
        ("execute_user", "u" * 33, False),
        ("execute_user", "", False),
    ],
)
def test_execute_param_boundaries(fleet: Fleet, field: str, value: Any, ok: bool) -> None:
    (a,) = fleet.enroll(1)
    body = execute_body(batches([a]), **{field: value})
    resp = fleet.execute_raw(fleet.script(), body)
    if ok:
        assert resp.status_code == 200, resp.text
    else:
        assert resp.status_code == 400, resp.text
        assert resp.json()["error_code"] == "COC.00040701"
        assert field in resp.json()["error_msg"]


def test_batch_limits(fleet: Fleet) -> None:
    hosts = fleet.enroll(11)
    script = fleet.script()
    eleven = _error(fleet, script, execute_body(batches(hosts)))
    assert "target_instances" in eleven["error_msg"] and "10" in eleven["error_msg"]
    many = [
        {"batch_index": i, "rotation_strategy": "CONTINUE", "target_instances": [target(hosts[0])]}
        for i in range(1, 22)
    ]
    assert "execute_batches" in _error(fleet, script, execute_body(many))["error_msg"]
    assert "execute_batches" in _error(fleet, script, execute_body([]))["error_msg"]
    ten = fleet.execute(script, batches(hosts[:10]))
    assert fleet.info(ten)["status"] == "PROCESSING"


def test_batch_index_must_start_from_1_and_be_consecutive(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    script = fleet.script()
    gap = batches([a], [b])
    gap[1]["batch_index"] = 3
    assert "consecutive" in _error(fleet, script, execute_body(gap))["error_msg"]
    late = batches([a])
    late[0]["batch_index"] = 2
    assert "consecutive" in _error(fleet, script, execute_body(late))["error_msg"]
    shuffled = list(reversed(batches([a], [b])))
    uuid = fleet.execute(script, shuffled)
    assert [b["batch_index"] for b in fleet.get(f"/v1/job/script/orders/{uuid}/batches")] == [1, 2]


def test_rotation_strategy_and_target_fields_are_checked(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script()
    bad = batches([a])
    bad[0]["rotation_strategy"] = "LATER"
    assert "rotation_strategy" in _error(fleet, script, execute_body(bad))["error_msg"]
    missing = batches([a])
    del missing[0]["target_instances"][0]["resource_id"]
    assert "resource_id" in _error(fleet, script, execute_body(missing))["error_msg"]


def test_a_host_twice_in_one_order_is_refused(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    assert "more than once" in _error(fleet, fleet.script(), execute_body(batches([a], [a])))["error_msg"]


def test_targets_must_be_enrolled_agents_of_the_callers_tenant(fleet: Fleet, make_tenant: Any) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script()
    unknown = execute_body(
        [
            {
                "batch_index": 1,
                "rotation_strategy": "CONTINUE",
                "target_instances": [{"resource_id": "no-such-host", "region_id": "r"}],
            }
        ]
    )
    assert "no-such-host" in _error(fleet, script, unknown)["error_msg"]
    wrong_sn = batches([a])
    wrong_sn[0]["target_instances"][0]["agent_sn"] = "0" * 32
    assert "agent_sn" in _error(fleet, script, execute_body(wrong_sn))["error_msg"]
    other = Fleet(fleet.client, fleet.db, make_tenant())
    (foreign,) = other.enroll(1)
    assert foreign.resource_id in _error(fleet, script, execute_body(batches([foreign])))["error_msg"]


def test_a_target_without_agent_sn_is_found_by_resource_id(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    body = execute_body(
        [
            {
                "batch_index": 1,
                "rotation_strategy": "CONTINUE",
                "target_instances": [{"resource_id": a.resource_id, "region_id": "cn-north-4"}],
            }
        ]
    )
    resp = fleet.execute_raw(fleet.script(), body)
    assert resp.status_code == 200, resp.text
    assert fleet.task(a)["content"] == "echo ${a}"


def test_unknown_script_is_coc_00040604(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    data = _error(fleet, "SC20990101000000abcdef123", execute_body(batches([a])))
    assert data["error_code"] == "COC.00040604"


def test_only_approved_scripts_run(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script(
        properties={
            "risk_level": "LOW",
            "version": "1.0.0",
            "reviewers": [{"reviewer_name": "admin", "reviewer_id": fleet.tenant.user_id}],
        }
    )
    data = _error(fleet, script, execute_body(batches([a])))
    assert "APPROVED" in data["error_msg"]


def test_params_unknown_duplicated_or_invalid_are_refused(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script()
    unknown = execute_body(batches([a]), script_params=[{"param_name": "zz", "param_value": "1", "param_order": 1}])
    assert "zz" in _error(fleet, script, unknown)["error_msg"]
    twice = [{"param_name": "a", "param_value": "1"}, {"param_name": "a", "param_value": "2"}]
    assert "duplicated" in _error(fleet, script, execute_body(batches([a]), script_params=twice))["error_msg"]
    shell = execute_body(batches([a]), script_params=[{"param_name": "a", "param_value": "$(reboot)"}])
    assert "param_value" in _error(fleet, script, shell)["error_msg"]
    dots = execute_body(batches([a]), script_params=[{"param_name": "a", "param_value": "../../etc"}])
    assert "param_value" in _error(fleet, script, dots)["error_msg"]
    order = execute_body(batches([a]), script_params=[{"param_name": "a", "param_value": "x", "param_order": 2}])
    assert "param_order" in _error(fleet, script, order)["error_msg"]


def test_given_params_replace_defaults_and_missing_ones_keep_them(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script("echo ${a} ${b}", [param("a", "da", 1), param("b", "db", 2)])
    sent = [{"param_name": "b", "param_value": "given b", "param_order": 1}]
    uuid = fleet.execute(script, batches([a]), script_params=sent)
    task = fleet.task(a)
    assert task["params"] == [
        {"name": "a", "value": "da", "sensitive": False},
        {"name": "b", "value": "given b", "sensitive": False},
    ]
    shown = fleet.info(uuid)["properties"]["execute_param"]["script_params"]
    assert shown == [
        {"param_name": "a", "param_value": "da", "param_order": 1},
        {"param_name": "b", "param_value": "given b", "param_order": 2},
    ]


def test_sensitive_values_are_encrypted_at_rest_and_masked_in_reads(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script("login ${pw}", [param("pw", "defaultsecret", 1, sensitive=True)])
    uuid = fleet.execute(script, batches([a]), script_params=[{"param_name": "pw", "param_value": "hunter2hunter"}])
    shown = fleet.info(uuid)["properties"]["execute_param"]["script_params"]
    assert shown == [{"param_name": "pw", "param_value": "*" * 17, "param_order": 1}]
    with fleet.db.read() as session:
        stored = session.scalar(select(ScriptOrder.params).where(ScriptOrder.execute_uuid == uuid))
    assert "hunter2hunter" not in str(stored)
    assert fleet.task(a)["params"] == [{"name": "pw", "value": "hunter2hunter", "sensitive": True}]


def test_the_mask_stands_for_the_sensitive_default(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script("login ${pw}", [param("pw", "defaultsecret", 1, sensitive=True)])
    fleet.execute(script, batches([a]), script_params=[{"param_name": "pw", "param_value": "*" * 17}])
    assert fleet.task(a)["params"][0]["value"] == "defaultsecret"


def test_the_order_records_the_script_version_it_runs(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script()
    uuid = fleet.execute(script, batches([a]))
    with fleet.db.read() as session:
        version_id = session.scalar(select(Script.current_version_id).where(Script.script_uuid == script))
    props = fleet.info(uuid)["properties"]
    assert props["script_uuid"] == script
    assert props["script_version_uuid"] == version_id
    assert props["script_version_name"] == "1.0.0"
    assert props["execute_param"] == {
        "resourceful": True,
        "timeout": 60,
        "success_rate": 100.0,
        "execute_user": "root",
        "script_params": [{"param_name": "a", "param_value": "default", "param_order": 1}],
    }


def test_terraform_style_body_is_accepted(fleet: Fleet) -> None:
    """huaweicloud_coc_script_execute: integer success_rate, PAUSE, param_order 1..n, no project_id."""
    (a,) = fleet.enroll(1)
    body = {
        "execute_param": {
            "resourceful": True,
            "success_rate": 100,
            "timeout": 30,
            "execute_user": "root",
            "script_params": [{"param_order": 1, "param_name": "a", "param_value": "tf"}],
        },
        "execute_batches": [
            {
                "batch_index": 1,
                "rotation_strategy": "PAUSE",
                "target_instances": [{"resource_id": a.resource_id, "agent_sn": a.agent_sn}],
            }
        ],
    }
    resp = fleet.execute_raw(fleet.script(), body)
    assert resp.status_code == 200, resp.text
    fleet.run(a)
    assert fleet.status(resp.json()["data"]) == "FINISHED"
