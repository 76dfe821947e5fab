"""Nested, huge and overflowing bodies on the unsigned webhooks: each is a 4xx or stored, never a 5xx.

The webhooks are reachable by anyone who has an integration key and parse their bodies by hand,
so they get a corpus of their own (they are not in /openapi.json). After the corpus the tenant's
alarm list and every alarm's detail still answer 200: one hostile alarm must not break them.
"""

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.alarms.helpers import ALARMS, alarm_body, integration
from tests.support.signing import TenantKey

DEPTHS = (17, 255, 990, 1025, 100_000)
NUMBERS = (b"9223372036854775808", b"18446744073709551616", b"1" + b"0" * 22, b"-9223372036854775809", b"1e400",
           b"-1", b"1" * 5000, b"NaN", b"Infinity", b"1.5")  # fmt: skip
JUNK = (b"", b"null", b"[]", b'"text"', b"{", b"\xff\xfe", b'{"alarmName": "\\ud800"}', b'{"\\u0000": 1}')


def _nested(depth: int, leaf: bytes = b"1") -> bytes:
    return b"[" * depth + leaf + b"]" * depth


def _deep_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def _with(body: dict[str, object], key: str, raw: bytes) -> bytes:
    """`body` as JSON with `key` set to the raw JSON text `raw` (which json.dumps could not always write)."""
    text = json.dumps({**body, key: "@@"}).encode()
    return text.replace(b'"@@"', raw)


def custom_corpus() -> Iterator[tuple[str, bytes]]:
    body = alarm_body()
    for depth in DEPTHS:
        yield f"body nested {depth}", _nested(depth)
        yield f"additional nested {depth}", _with(body, "additional", _deep_object(depth))
        for key in ("alarmName", "alarmId", "time", "alarmStatus", "URL"):
            yield f"{key} nested {depth}", _with(body, key, _nested(depth))
        yield f"additional NUL and nested {depth}", _with(body, "additional", b'{"k\\u0000": ' + _nested(depth) + b"}")
    for number in NUMBERS:
        yield f"time = {number[:24]!r}", _with(body, "time", number)
        yield f"additional number {number[:24]!r}", _with(body, "additional", b'{"n": ' + number + b"}")
    yield "additional wide", _with(body, "additional", json.dumps({f"k{i}": i for i in range(5000)}).encode())
    yield "alarmDesc 100k", _with(body, "alarmDesc", json.dumps("d" * 100_000).encode())
    yield "body over the size limit", _with(body, "alarmDesc", json.dumps("d" * (2 * 1024 * 1024)).encode())
    for junk in JUNK:
        yield f"junk {junk!r}", junk


def prometheus_corpus() -> Iterator[tuple[str, bytes]]:
    def alert(**fields: bytes) -> bytes:
        base = {"status": "firing", "labels": {"alertname": "Disk"}, "annotations": {}}
        text = json.dumps({"alerts": [{**base, **{k: f"@@{k}" for k in fields}}]}).encode()
        for key, raw in fields.items():
            text = text.replace(f'"@@{key}"'.encode(), raw)
        return text

    for depth in DEPTHS:
        yield f"alerts nested {depth}", b'{"alerts": ' + _nested(depth) + b"}"
        for key in ("labels", "annotations"):
            yield f"{key} nested {depth}", alert(**{key: b'{"alertname": "x", "deep": ' + _deep_object(depth) + b"}"})
        for key in ("status", "fingerprint", "startsAt", "endsAt", "generatorURL"):
            yield f"{key} nested {depth}", alert(**{key: _nested(depth)})
    for number in NUMBERS:
        for key in ("startsAt", "endsAt", "fingerprint"):
            yield f"{key} = {number[:24]!r}", alert(**{key: number})
        yield f"label number {number[:24]!r}", alert(labels=b'{"alertname": "x", "n": ' + number + b"}")
    for stamp in ("99999-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "x" * 10_000):
        yield f"startsAt {stamp[:30]}", alert(startsAt=json.dumps(stamp).encode())
    yield "labels wide", alert(labels=json.dumps({"alertname": "x", **{f"k{i}": "v" for i in range(5000)}}).encode())
    yield "many empty alerts", b'{"alerts": [' + b",".join([b"{}"] * 20_000) + b"]}"
    for junk in JUNK:
        yield f"junk {junk!r}", junk


def _assert_not_a_server_error(resp_status: int, text: str, label: str) -> None:
    assert resp_status < 500, f"{label}: {resp_status} {text[:300]}"


@pytest.mark.parametrize(("kind", "corpus"), [("custom", custom_corpus), ("prometheus", prometheus_corpus)])
def test_hostile_webhook_bodies_are_4xx_and_the_alarms_stay_readable(
    client: TestClient, tenant: TenantKey, kind: str, corpus: object
) -> None:
    key = integration(client, tenant, type_=kind)["integration_key"]
    url = f"/v1/event/{'huawei/custom' if kind == 'custom' else 'prometheus'}/{key}"
    accepted = 0
    for label, body in corpus():  # type: ignore[operator]
        resp = client.post(url, content=body, headers={"Content-Type": "application/json"})
        _assert_not_a_server_error(resp.status_code, resp.text, label)
        if resp.status_code == 200:
            accepted += 1
        else:
            assert resp.json()["error_msg"], f"{label}: a 4xx names its rule"
    listed = client.get(ALARMS, params={"limit": 1000}, auth=tenant.auth)
    assert listed.status_code == 200, listed.text[:300]
    alarms = listed.json()["data"]["list"]
    assert len(alarms) >= 1 and accepted >= 1, "the corpus holds acceptable bodies too (sanity)"
    for alarm in alarms:
        detail = client.get(f"/v1/alarm-mgmt/alarm/{alarm['alarm_id']}", auth=tenant.auth)
        assert detail.status_code == 200, detail.text[:300]


@pytest.mark.parametrize("depth", [990, 100_000])
@pytest.mark.parametrize("key", ["additional", "alarmName"])
def test_a_deeply_nested_custom_field_is_a_400_naming_it(
    client: TestClient, tenant: TenantKey, key: str, depth: int
) -> None:
    integration_key = integration(client, tenant)["integration_key"]
    raw = _deep_object(depth) if key == "additional" else _nested(depth)
    resp = client.post(f"/v1/event/huawei/custom/{integration_key}", content=_with(alarm_body(), key, raw))
    assert resp.status_code == 400, resp.text[:300]
    message = resp.json()["error_msg"]
    # orjson reads 1024 levels: deeper is not JSON to us, shallower is named with its rule
    assert message == "request body is not valid JSON" if depth > 1024 else key in message, message


def test_thousands_of_bad_alerts_get_a_short_message(client: TestClient, tenant: TenantKey) -> None:
    key = integration(client, tenant, type_="prometheus")["integration_key"]
    resp = client.post(f"/v1/event/prometheus/{key}", content=b'{"alerts": [' + b",".join([b"{}"] * 20_000) + b"]}")
    assert resp.status_code == 400
    message = resp.json()["error_msg"]
    assert message.startswith("alerts[0].status must not be null") and message.endswith("more"), message[:200]
    assert len(message) < 2000
