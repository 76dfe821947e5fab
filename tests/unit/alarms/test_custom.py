"""The custom webhook body (§4.4.2) -> an alarm report, or a 400 naming every failing field (alarms/custom.py).

Tested through `parse` only (inputs -> report or error), so the checks may move to pydantic freely.
"""

from typing import Any

import pytest

from opencoc.alarms import custom
from opencoc.alarms.schemas import AlarmReport
from opencoc.core.errors import OpenCOCError

SEED = {
    "alarmId": "18cf0a1b2c3d0f8",
    "alarmName": "CPU Usage Exceeding Threshold",
    "alarmLevel": "Critical",
    "time": 1709118444540,
    "nameSpace": "shanghai",
    "regionId": "cn-north-4",
    "applicationId": "18cfa0a5ef8d",
    "resourceName": "machine-1",
    "resourceId": "18c0a1b2c3d4e5ff68625",
    "alarmDesc": "cpu above 90% for 5 minutes",
    "URL": "https://monitor.example.com/alarms/1",
    "alarmStatus": "alarm",
    "alarmSource": "coc",
    "additional": {"k": "v"},
}


def body(**overrides: Any) -> dict[str, Any]:
    """The seed's example with `overrides` (None removes a key)."""
    return {k: v for k, v in (SEED | overrides).items() if v is not None}


def refusal(value: Any) -> str:
    with pytest.raises(OpenCOCError) as refused:
        custom.parse(value)
    assert (refused.value.status, refused.value.error_code) == (400, "COC.00000001")
    return refused.value.error_msg


def test_the_seed_example_becomes_a_firing_report_with_every_field() -> None:
    assert custom.parse(body()) == AlarmReport(
        original_alarm_id="18cf0a1b2c3d0f8",
        alarm_name="CPU Usage Exceeding Threshold",
        alarm_level="Critical",
        time=1709118444540,
        name_space="shanghai",
        alarm_desc="cpu above 90% for 5 minutes",
        alarm_source="coc",
        firing=True,
        region_id="cn-north-4",
        application_id="18cfa0a5ef8d",
        resource_name="machine-1",
        resource_id="18c0a1b2c3d4e5ff68625",
        url="https://monitor.example.com/alarms/1",
        additional={"k": "v"},
    )


def test_ok_clears_and_optional_fields_may_be_left_out_or_empty() -> None:
    report = custom.parse(body(alarmStatus="ok", regionId="", resourceName=None, URL=None, additional=None))
    assert report.firing is False
    assert (report.region_id, report.resource_name, report.url, report.additional) == (None, None, None, None)
    assert custom.parse(body(alarmStatus=None)).firing is True, "an alarm without a status is active"


@pytest.mark.parametrize("level", ["Critical", "Major", "Minor", "Info"])
def test_each_seed_level_is_accepted(level: str) -> None:
    assert custom.parse(body(alarmLevel=level)).alarm_level == level


@pytest.mark.parametrize("time", [0, 9_999_999_999_999, 1709118444540.0])
def test_time_takes_whole_milliseconds_up_to_13_digits(time: float) -> None:
    assert custom.parse(body(time=time)).time == int(time)


def test_missing_required_fields_are_named_in_the_seeds_order() -> None:
    assert refusal({}) == (
        "alarmName must not be null | alarmId must not be null | alarmLevel must not be null | time must not be null"
        " | nameSpace must not be null | applicationId must not be null | alarmDesc must not be null"
        " | alarmSource must not be null"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"alarmDesc": "  "}, "alarmDesc must not be blank"),
        ({"alarmName": ""}, "alarmName must not be blank"),
        ({"alarmName": "x" * 256}, "alarmName size must be between 1 and 255"),
        ({"regionId": "r" * 256}, "regionId size must be between 0 and 255"),
        ({"alarmLevel": "critical"}, "The field[alarmLevel] value[critical] invalid"),
        ({"alarmStatus": "resolved"}, "The field[alarmStatus] value[resolved] invalid"),
        ({"alarmId": 12345}, "The field[alarmId] value[12345] invalid"),
        ({"alarmName": "cpu\x00"}, "The field[alarmName] value[cpu\x00] invalid"),
        ({"nameSpace": {"a": 1}}, 'The field[nameSpace] value[{"a": 1}] invalid'),
        ({"time": "1709118444540"}, "The field[time] value[1709118444540] invalid"),
        ({"time": 1.5}, "The field[time] value[1.5] invalid"),
        ({"time": True}, "The field[time] value[true] invalid"),
        ({"time": -1}, "time must be between 0 and 9999999999999"),
        ({"time": 10**13}, "time must be between 0 and 9999999999999"),
        ({"additional": "text"}, "The field[additional] value[text] invalid"),
        ({"additional": {"k\x00": "v"}}, 'The field[additional] value[{"k\\u0000": "v"}] invalid'),
        ({"additional": {"blob": "b" * 20_000}}, "additional size must be at most 16384 characters as JSON"),
    ],
)
def test_a_bad_field_is_named_with_its_rule(overrides: dict[str, Any], message: str) -> None:
    assert refusal(body(**overrides)) == message


def test_additional_may_be_16_levels_deep_but_not_17() -> None:
    def nested(depth: int) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for _ in range(depth - 1):
            value = {"a": value}
        return value

    assert custom.parse(body(additional=nested(16))).additional == nested(16)
    assert refusal(body(additional=nested(17))) == "additional must be nested at most 16 levels deep"


def test_every_problem_is_reported_at_once_and_each_only_once() -> None:
    message = refusal(body(alarmName="x" * 300, time="soon", alarmLevel="Hot", alarmId=None))
    assert message == (
        "alarmName size must be between 1 and 255 | alarmId must not be null | "
        "The field[alarmLevel] value[Hot] invalid | The field[time] value[soon] invalid"
    )


@pytest.mark.parametrize("value", [[1, 2], "alarm", None, 7])
def test_a_body_that_is_not_an_object_is_refused(value: Any) -> None:
    assert refusal(value) == "request body must be a JSON object"
