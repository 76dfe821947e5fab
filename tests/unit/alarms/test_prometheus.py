"""Alertmanager's webhook payload (version 4) -> alarm reports, or a 400 naming each failing field.

Tested through `prometheus.parse` only (inputs -> reports or error), so the checks may move to pydantic.
"""

from typing import Any

import pytest

from opencoc.alarms import prometheus
from opencoc.core.clock import now_ms
from opencoc.core.errors import OpenCOCError


def alert(status: str = "firing", **changes: Any) -> dict[str, Any]:
    """An alert as Alertmanager sends it; `changes` replace top-level keys (None removes one)."""
    base: dict[str, Any] = {
        "status": status,
        "labels": {"alertname": "HighLatency", "severity": "critical", "instance": "web-1:9100"},
        "annotations": {"summary": "p99 above 1s", "description": "p99 latency of web-1 above 1s for 5m"},
        "startsAt": "2024-02-28T11:07:24.540123456Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=latency",
        "fingerprint": "c0ffee1234567890",
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def labels(**extra: Any) -> dict[str, Any]:
    return {"alertname": "HighLatency", **extra}


def parse(*alerts: Any) -> list[Any]:
    return prometheus.parse({"version": "4", "status": "firing", "alerts": list(alerts)})


def refusal(value: Any) -> str:
    with pytest.raises(OpenCOCError) as refused:
        prometheus.parse(value)
    assert (refused.value.status, refused.value.error_code) == (400, "COC.00000001")
    return refused.value.error_msg


def test_a_firing_alert_becomes_a_report() -> None:
    [report] = parse(alert())
    assert (report.original_alarm_id, report.alarm_name, report.alarm_level) == (
        "c0ffee1234567890",
        "HighLatency",
        "Critical",
    )
    assert report.time == 1709118444540, "Go's nanoseconds are cut to milliseconds"
    assert report.firing is True and report.alarm_source == "prometheus"
    assert report.alarm_desc == "p99 latency of web-1 above 1s for 5m"
    assert (report.resource_name, report.resource_id) == ("web-1:9100", "web-1:9100")
    assert report.url == "http://prometheus:9090/graph?g0.expr=latency"
    assert report.name_space == "prometheus"
    assert report.additional == {
        "labels": alert()["labels"],
        "annotations": alert()["annotations"],
        "endsAt": "0001-01-01T00:00:00Z",
    }


def test_a_resolved_alert_clears() -> None:
    assert parse(alert("resolved"))[0].firing is False


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        ("critical", "Critical"), ("FATAL", "Critical"), ("page", "Critical"), ("error", "Major"),
        ("high", "Major"), ("warning", "Minor"), ("warn", "Minor"), ("info", "Info"), ("none", "Info"),
        ("odd", "Minor"), (None, "Minor"),
    ],
)  # fmt: skip
def test_the_severity_label_chooses_the_level_and_anything_else_is_minor(severity: str | None, level: str) -> None:
    given = labels() if severity is None else labels(severity=severity)
    assert parse(alert(labels=given))[0].alarm_level == level


def test_labels_name_the_region_application_namespace_and_resource() -> None:
    given = labels(region="cn-north-4", app="shop", job="node", instance="h1", resource_id="vm-1")
    [report] = parse(alert(labels=given))
    assert (report.region_id, report.application_id, report.name_space) == ("cn-north-4", "shop", "node")
    assert (report.resource_name, report.resource_id) == ("h1", "vm-1")
    [preferred] = parse(alert(labels=labels(application="billing", app="shop", namespace="prod", job="node")))
    assert (preferred.application_id, preferred.name_space) == ("billing", "prod")


def test_the_description_falls_back_to_the_summary_then_the_name() -> None:
    assert parse(alert(annotations={"summary": "s"}))[0].alarm_desc == "s"
    assert parse(alert(annotations=None))[0].alarm_desc == "HighLatency"


def test_without_a_fingerprint_the_labels_make_a_stable_one() -> None:
    first = parse(alert(fingerprint=None, labels=labels(b="2", a="1")))[0].original_alarm_id
    again = parse(alert(fingerprint=None, labels={"a": "1", "b": "2", "alertname": "HighLatency"}))[0].original_alarm_id
    other = parse(alert(fingerprint=None, labels=labels(a="1", b="3")))[0].original_alarm_id
    assert first == again != other and len(first) == 16


def test_an_alert_without_a_start_is_stamped_now() -> None:
    before = now_ms()
    [report] = parse(alert(startsAt=None))
    assert before <= report.time <= now_ms()


def test_strings_are_cut_to_255_characters_and_nul_characters_dropped() -> None:
    [report] = parse(alert(labels=labels(instance="h\x00" + "x" * 400, region="\x00")))
    assert report.resource_name == "h" + "x" * 254
    assert report.region_id is None, "a label of NUL characters only is no value"


def test_an_empty_alert_list_is_no_report() -> None:
    assert parse() == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"version": "4"}, "alerts must not be null"),
        ({"alerts": {}}, "The field[alerts] value[{}] invalid"),
        ({"alerts": ["text"]}, "The field[alerts[0]] value[text] invalid"),
        ({"alerts": [alert(status="pending")]}, "The field[alerts[0].status] value[pending] invalid"),
        ({"alerts": [alert(status=None)]}, "alerts[0].status must not be null"),
        ({"alerts": [alert(labels=None)]}, "alerts[0].labels must not be null"),
        ({"alerts": [alert(labels=[1])]}, "The field[alerts[0].labels] value[[1]] invalid"),
        ({"alerts": [alert(), alert(labels={"severity": "x"})]}, "alerts[1].labels.alertname must not be null"),
        ({"alerts": [alert(annotations="x")]}, "The field[alerts[0].annotations] value[x] invalid"),
        ({"alerts": [alert(startsAt="yesterday")]}, "The field[alerts[0].startsAt] value[yesterday] invalid"),
        ({"alerts": [alert(endsAt=5)]}, "The field[alerts[0].endsAt] value[5] invalid"),
        ({"alerts": [alert(endsAt="x" * 65)]}, f"The field[alerts[0].endsAt] value[{'x' * 65}] invalid"),
        ({"alerts": [alert(fingerprint=7)]}, "The field[alerts[0].fingerprint] value[7] invalid"),
        ({"alerts": [alert(fingerprint="")]}, "The field[alerts[0].fingerprint] value[] invalid"),
        ([], "request body must be a JSON object"),
    ],
)
def test_a_bad_payload_is_refused_naming_the_alert_and_field(payload: Any, message: str) -> None:
    assert refusal(payload) == message


def test_one_bad_alert_refuses_the_whole_payload_naming_every_problem() -> None:
    message = refusal({"alerts": [alert(), alert(status="nope", labels={"severity": "x"}), "x"]})
    assert message == (
        "The field[alerts[1].status] value[nope] invalid | alerts[1].labels.alertname must not be null"
        " | The field[alerts[2]] value[x] invalid"
    )


def test_labels_and_annotations_are_bounded_like_any_free_form_json() -> None:
    deep: dict[str, Any] = {}
    for _ in range(16):
        deep = {"a": deep}
    message = refusal({"alerts": [alert(labels=labels(deep=deep))]})
    assert message == "alerts[0].labels must be nested at most 16 levels deep"


def test_thousands_of_bad_alerts_name_twenty_problems_and_count_the_rest() -> None:
    message = refusal({"alerts": [{}] * 5000})
    problems = message.split(" | ")
    assert problems[0] == "alerts[0].status must not be null" and problems[-1] == "... 9980 more"
    assert len(problems) == 21
