"""The webhook bodies as pydantic models: the report each makes, and COC's words for every problem."""

from typing import Any

import pytest

from opencoc.alarms import custom, prometheus
from opencoc.core.errors import OpenCOCError

SEED = {
    "alarmId": "18cf0a1b2c3d0f8",
    "alarmName": "CPU Usage Exceeding Threshold",
    "alarmLevel": "Critical",
    "time": 1709118444540,
    "nameSpace": "shanghai",
    "regionId": "",
    "applicationId": "18cfa0a5ef8d",
    "alarmDesc": "cpu above 90% for 5 minutes",
    "alarmSource": "coc",
    "additional": {"k": "v"},
}


def _custom_error(**changes: Any) -> str:
    body = {k: v for k, v in {**SEED, **changes}.items() if v is not ...}
    with pytest.raises(OpenCOCError) as exc:
        custom.parse(body)
    assert exc.value.error_code == "COC.00000001"
    return exc.value.error_msg


def test_the_seed_example_becomes_a_firing_report() -> None:
    report = custom.parse({**SEED, "time": 1709118444540.0})
    assert (report.original_alarm_id, report.alarm_level, report.time) == ("18cf0a1b2c3d0f8", "Critical", 1709118444540)
    assert report.firing and report.region_id is None and report.additional == {"k": "v"}
    assert not custom.parse({**SEED, "alarmStatus": "ok"}).firing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"alarmName": ..., "alarmId": None}, "alarmName must not be null | alarmId must not be null"),
        ({"alarmDesc": " "}, "alarmDesc must not be blank"),
        ({"alarmId": "a\x00"}, "The field[alarmId] value[a\x00] invalid"),
        ({"time": 1.5}, "The field[time] value[1.5] invalid"),
        ({"time": 1e22}, "time must be between 0 and 9999999999999"),
        ({"URL": "u" * 256}, "URL size must be between 0 and 255"),
        ({"alarmStatus": "  "}, "The field[alarmStatus] value[  ] invalid"),
        ({"additional": {"k\x00": 1}}, 'The field[additional] value[{"k\\u0000": 1}] invalid'),
    ],
)
def test_custom_problems_in_coc_words(changes: dict[str, Any], message: str) -> None:
    assert _custom_error(**changes) == message


def test_a_level_too_long_and_unknown_is_named_for_both() -> None:
    assert _custom_error(alarmLevel="L" * 256) == (
        f"alarmLevel size must be between 1 and 255 | The field[alarmLevel] value[{'L' * 100}...] invalid"
    )


def _alert(**changes: Any) -> dict[str, Any]:
    alert = {"status": "firing", "labels": {"alertname": "Disk", "severity": "warning"}, "fingerprint": "f1"}
    return {k: v for k, v in {**alert, **changes}.items() if v is not ...}


def _prometheus_error(*alerts: Any) -> str:
    with pytest.raises(OpenCOCError) as exc:
        prometheus.parse({"alerts": list(alerts)})
    return exc.value.error_msg


def test_an_alert_becomes_a_report_and_its_labels_are_kept() -> None:
    [report] = prometheus.parse({"alerts": [_alert(startsAt="2024-02-28T11:07:24.540123456Z")]})
    assert (report.alarm_name, report.alarm_level, report.time) == ("Disk", "Minor", 1709118444540)
    labels = {"alertname": "Disk", "severity": "warning"}
    assert report.additional == {"labels": labels, "annotations": {}, "endsAt": None}


def test_labels_without_a_name_and_too_deep_are_named_for_both() -> None:
    deep: Any = 1
    for _ in range(17):
        deep = {"a": deep}
    assert _prometheus_error(_alert(labels={"d": deep})) == (
        "alerts[0].labels.alertname must not be null | alerts[0].labels must be nested at most 16 levels deep"
    )


def test_an_alert_without_an_object_of_labels_is_named_for_status_and_labels_only() -> None:
    assert _prometheus_error(_alert(status=None, labels="x", fingerprint=7)) == (
        "alerts[0].status must not be null | The field[alerts[0].labels] value[x] invalid"
    )


def test_many_bad_alerts_name_twenty_problems_and_count_the_rest() -> None:
    message = _prometheus_error(*[{}] * 15)
    assert message.startswith("alerts[0].status must not be null | alerts[0].labels must not be null | ")
    assert message.endswith(" | ... 10 more") and message.count(" | ") == 20
