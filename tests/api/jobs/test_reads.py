"""§4.3 reads: order list filters and paging, batch details, statistics, and tenant isolation."""

from typing import Any

import pytest
from sqlalchemy import update

from harness.polling import wait_for
from opencoc.jobs.models import ScriptOrder
from tests.api.jobs.helpers import ORDERS, Fleet, batches


def test_list_orders_newest_first_with_marker_and_total(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script()
    uuids = [fleet.execute(script, batches([a])) for _ in range(3)]
    page = fleet.get(ORDERS, limit=2)
    assert page["total"] == 3
    assert [o["execute_uuid"] for o in page["data"]] == uuids[:0:-1]
    item = page["data"][0]
    assert set(item) == {
        "order_id",
        "order_name",
        "execute_uuid",
        "gmt_created",
        "gmt_finished",
        "execute_costs",
        "creator",
        "status",
        "properties",
    }
    assert item["creator"] == "admin" and item["status"] == "PROCESSING"
    assert item["properties"] == {"region_ids": "cn-north-4"}
    assert isinstance(item["execute_costs"], int)
    rest = fleet.get(ORDERS, limit=2, marker=page["data"][-1]["order_id"])
    assert [o["execute_uuid"] for o in rest["data"]] == uuids[:1]


def test_list_orders_filters(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script()
    done = fleet.execute(script, batches([a]))
    fleet.run(a)
    running = fleet.execute(script, batches([a]))
    with fleet.db.write() as session:
        session.execute(update(ScriptOrder).where(ScriptOrder.execute_uuid == done).values(gmt_created=1_000_000))
    assert [o["execute_uuid"] for o in fleet.get(ORDERS, status="FINISHED")["data"]] == [done]
    assert [o["execute_uuid"] for o in fleet.get(ORDERS, start_time=2_000_000)["data"]] == [running]
    assert [o["execute_uuid"] for o in fleet.get(ORDERS, end_time=2_000_000)["data"]] == [done]
    assert fleet.get(ORDERS, creator="someone-else") == {"total": 0, "data": []}
    assert fleet.get(ORDERS, creator="admin")["total"] == 2


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 101}, {"marker": 0}, {"status": "DONE"}, {"start_time": "soon"}]
)
def test_list_orders_query_is_checked(fleet: Fleet, query: dict[str, Any]) -> None:
    resp = fleet.client.get(ORDERS, params=query, auth=fleet.tenant.auth)
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "COC.00040701"
    assert next(iter(query)) in resp.json()["error_msg"]


def test_batch_detail_pages_by_marker_and_filters_by_status(fleet: Fleet) -> None:
    hosts = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches(hosts), success_rate=1)
    fleet.run(hosts[0], output="one\n")
    fleet.run(hosts[1], "ABNORMAL", "two\n")
    first = fleet.batch(uuid, 1, limit=2)
    assert first["batch_index"] == 1 and first["total_instances"] == 3
    assert len(first["execute_instances"]) == 2
    rest = fleet.batch(uuid, 1, limit=2, marker=first["execute_instances"][-1]["id"])
    assert [i["target_instance"]["agent_sn"] for i in rest["execute_instances"]] == [hosts[2].agent_sn]
    abnormal = fleet.batch(uuid, 1, status="ABNORMAL")
    assert abnormal["total_instances"] == 1
    (inst,) = abnormal["execute_instances"]
    assert inst["message"] == "two\n" and inst["status"] == "ABNORMAL"
    target = inst["target_instance"]
    assert target["resource_id"] == hosts[1].resource_id and target["agent_status"] == "ONLINE"
    assert target["properties"]["host_name"].startswith("host-")
    assert target["properties"]["zone_id"] == "az1" and target["properties"]["fixed_ip"].startswith("10.0.0.")
    assert inst["gmt_finished"] >= inst["gmt_created"] and isinstance(inst["execute_costs"], int)


@pytest.mark.parametrize("query", [{"limit": 51}, {"limit": 0}, {"status": "PAUSED"}, {"marker": -1}])
def test_batch_detail_query_is_checked(fleet: Fleet, query: dict[str, Any]) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    resp = fleet.client.get(f"{ORDERS}/{uuid}/batches/1", params=query, auth=fleet.tenant.auth)
    assert resp.status_code == 400 and next(iter(query)) in resp.json()["error_msg"]


def test_batch_detail_of_a_missing_batch_is_400(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    resp = fleet.client.get(f"{ORDERS}/{uuid}/batches/2", params={"limit": 10}, auth=fleet.tenant.auth)
    assert resp.status_code == 400 and "batch_index" in resp.json()["error_msg"]


def test_statistics_list_every_status_with_batch_indexes(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c]), success_rate=50)
    fleet.run(a)
    fleet.run(b, "ABNORMAL")
    data = fleet.get(f"{ORDERS}/{uuid}/statistics")
    assert data["total_instance"] == 3
    assert [s["instance_status"] for s in data["execute_statistics"]] == [
        "READY",
        "PROCESSING",
        "ABNORMAL",
        "CANCELED",
        "FINISHED",
    ]
    assert fleet.stats(uuid) == {
        "READY": (1, [2]),
        "PROCESSING": (0, []),
        "ABNORMAL": (1, [1]),
        "CANCELED": (0, []),
        "FINISHED": (1, [1]),
    }


def test_batches_list(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c], strategy="PAUSE"))
    assert fleet.get(f"{ORDERS}/{uuid}/batches") == [
        {"batch_index": 1, "total_instances": 2, "rotation_strategy": "PAUSE", "properties": "PROCESSING"},
        {"batch_index": 2, "total_instances": 1, "rotation_strategy": "PAUSE", "properties": "READY"},
    ]


def test_batches_list_as_one_batch_ends_and_the_next_starts(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c]))
    fleet.run(a)
    fleet.run(b)  # ends batch 1 and starts batch 2, in the same write
    assert [x["properties"] for x in fleet.get(f"{ORDERS}/{uuid}/batches")] == ["FINISHED", "PROCESSING"]
    fleet.run(c)
    assert [x["properties"] for x in fleet.get(f"{ORDERS}/{uuid}/batches")] == ["FINISHED", "FINISHED"]


@pytest.mark.parametrize("suffix", ["", "/batches", "/batches/1?limit=5", "/statistics"])
def test_unknown_order_is_coc_00040709(fleet: Fleet, suffix: str) -> None:
    resp = fleet.client.get(f"{ORDERS}/SCT20990101000000abcdef123{suffix}", auth=fleet.tenant.auth)
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "COC.00040709"


def test_another_tenants_order_is_not_found(fleet: Fleet, make_tenant: Any) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    other = Fleet(fleet.client, fleet.db, make_tenant())
    for suffix in ("", "/batches", "/batches/1?limit=5", "/statistics"):
        resp = other.client.get(f"{ORDERS}/{uuid}{suffix}", auth=other.tenant.auth)
        assert resp.status_code == 400 and resp.json()["error_code"] == "COC.00040709", suffix
    resp = other.operate_raw(uuid, "CANCEL_ORDER")
    assert resp.status_code == 400 and resp.json()["error_code"] == "COC.00040709"
    assert other.get(ORDERS)["total"] == 0
    assert fleet.status(uuid) == "PROCESSING"


def test_an_instance_whose_agent_goes_silent_turns_abnormal_after_the_grace(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, c], [b]), success_rate=50)
    fleet.run(c)
    fleet.task(a)
    fleet.offline(a)
    wait_for(
        lambda: fleet.instances(uuid, 1)[a.agent_sn]["status"] == "ABNORMAL",
        "the sweep to fail the instance",
        timeout=20,
    )
    assert fleet.instances(uuid, 1)[a.agent_sn]["message"] == "agent lost"
    wait_for(lambda: bool(fleet.poll(b)["tasks"]), "the next batch to start", timeout=20)
