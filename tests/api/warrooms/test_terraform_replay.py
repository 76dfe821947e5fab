"""The Terraform provider's war-room resource and data source replayed as they send, on both databases.

- `huaweicloud_coc_war_room` POSTs /v1/external/warrooms (RemoveNil over the configured fields,
  optional ones ignored when empty) and takes `data` (a string) as its id; its read POSTs
  /v1/external/warrooms/list with `{limit: 1, offset: 0, war_room_num: id}` and picks
  `data.list[?war_room_num == id] | [0]` (none: the resource is gone). What it reads back of the
  fields it manages (title, impacted_application[*].id, incident.incident_id, admin,
  enterprise_project_id, description, regions[*].code and [*].name, impacted_application[*].name)
  must equal what was configured, or every plan would show a difference (they are NonUpdatable).
- `data.huaweicloud_coc_war_rooms` pages with `limit: 100` and an item `offset` until a page is
  empty, reading `data.running_num`, `closed_num` and `total_num` from the first page.
"""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import create, define_scene
from tests.support.signing import TenantKey
from tests.support.terraform import data, go_json, ignore_empty, remove_nil, send

LIST = "/v1/external/warrooms/list"


def _configured(incident_num: str) -> dict[str, Any]:
    return {
        "war_room_name": "tf-acc-war-room",
        "description": "created by terraform",
        "region_code_list": ["cn-north-4"],
        "application_id_list": ["app-1", "app-2"],
        "incident_number": incident_num,
        "schedule_group": [{"role_id": "primary", "scene_id": "payments"}],
        "participant": [],
        "war_room_admin": "u-admin",
        "application_names": ["payments-api", "payments-db"],
        "region_names": ["CN North-Beijing4"],
        "enterprise_project_id": "0",
        "notification_type": "",
    }


def _create_body(conf: dict[str, Any]) -> bytes:
    """buildWarRoomCreateOpts under RemoveNil: optional fields ValueIgnoreEmpty, required ones as given."""
    optional = ("description", "region_code_list", "participant", "application_names", "region_names",
                "notification_type")  # fmt: skip
    return go_json(remove_nil({k: (ignore_empty(v) if k in optional else v) for k, v in conf.items()}))


def _read(client: TestClient, key: TenantKey, num: str) -> dict[str, Any] | None:
    """GetWarRoom, then what resourceWarRoomRead sets of the fields the resource manages."""
    body = go_json({"limit": 1, "offset": 0, "war_room_num": num})
    found = [w for w in data(send(client, key, "POST", LIST, body))["list"] or [] if w.get("war_room_num") == num]
    if not found:
        return None
    w = found[0]
    apps, regions = w.get("impacted_application") or [], w.get("regions") or []
    return {
        "war_room_name": w.get("title"),
        "description": w.get("description"),
        "region_code_list": [r.get("code") for r in regions],
        "application_id_list": [a.get("id") for a in apps],
        "incident_number": (w.get("incident") or {}).get("incident_id"),
        "war_room_admin": w.get("admin"),
        "application_names": [a.get("name") for a in apps],
        "region_names": [r.get("name") for r in regions],
        "enterprise_project_id": w.get("enterprise_project_id"),
    }


def test_war_room_resource_reads_back_what_it_configured(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "payments", {"primary": ["u-oncall"]})
    conf = _configured(create(client, tenant))
    num = data(send(client, tenant, "POST", "/v1/external/warrooms", _create_body(conf)))
    assert isinstance(num, str) and num
    managed = {k: v for k, v in conf.items() if k not in ("schedule_group", "participant", "notification_type")}
    first = _read(client, tenant, num)
    assert first == managed
    assert _read(client, tenant, num) == first


def test_war_room_of_another_tenant_reads_as_gone(
    client: TestClient, tenant: TenantKey, make_tenant: Any
) -> None:
    define_scene(client, tenant, "payments", {"primary": ["u-oncall"]})
    num = data(send(client, tenant, "POST", "/v1/external/warrooms", _create_body(_configured(create(client, tenant)))))
    assert _read(client, make_tenant(), num) is None


def test_war_rooms_data_source_pages_by_item_offset_and_counts(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "payments", {"primary": ["u-oncall"]})
    nums = {
        data(send(client, tenant, "POST", "/v1/external/warrooms", _create_body(_configured(create(client, tenant)))))
        for _ in range(3)
    }

    def read_all() -> tuple[list[str], tuple[Any, Any, Any]]:
        offset, seen, counts = 0, [], None
        while True:
            page = data(send(client, tenant, "POST", LIST, go_json({"limit": 2, "offset": offset})))
            if offset == 0:
                counts = (page["running_num"], page["closed_num"], page["total_num"])
            items = page["list"] or []
            if not items:
                return seen, counts
            seen += [w["war_room_num"] for w in items]
            offset += len(items)

    seen, counts = read_all()
    assert sorted(seen) == sorted(nums) and counts == (3, 0, 3)
    assert read_all() == (seen, counts)
