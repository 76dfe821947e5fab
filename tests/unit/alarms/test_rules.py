"""An integration's alarm -> incident rules (alarms/rules.py) and the incident an alarm becomes under them."""

from typing import Any

import pytest
from pydantic import ValidationError

from opencoc.alarms.rules import Rules, incident_request


def _error(**rules: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        Rules.model_validate(rules)
    [error] = refused.value.errors()
    return str(error["msg"])


def test_defaults_map_critical_major_minor_to_p1_p3_and_info_to_no_incident() -> None:
    rules = Rules()
    assert rules.level_map == {"Critical": "level_10", "Major": "level_20", "Minor": "level_30", "Info": None}
    assert rules.incident_type == "inc_type_p_reliability_issues"


def test_a_partial_level_map_is_merged_into_the_defaults() -> None:
    rules = Rules.model_validate({"level_map": {"Info": "level_50", "Critical": None}})
    assert rules.level_map == {"Critical": None, "Major": "level_20", "Minor": "level_30", "Info": "level_50"}
    assert Rules().level_map["Info"] is None, "one integration's map does not change the defaults"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"level_map": {"Fatal": "level_10"}}, "key Fatal invalid, expected Critical|Major|Minor|Info"),
        ({"level_map": {"Major": "P1"}}, "Major value[P1] invalid, expected level_10..level_50 or null"),
        ({"incident_type": "bad"}, "value[bad] invalid, expected one of the incident types (inc_type_p_...)"),
        ({"assignee_scene": "s"}, "assignee_scene and assignee_role must be set together"),
        ({"assignee_role": "r"}, "assignee_scene and assignee_role must be set together"),
    ],
)
def test_bad_rules_are_refused_naming_the_rule(rules: dict[str, Any], message: str) -> None:
    assert message in _error(**rules)


def test_unknown_and_overlong_rules_are_refused() -> None:
    assert "Extra inputs are not permitted" in _error(colour="red")
    assert "at most 255 characters" in _error(assignee="u" * 256)


def test_the_default_owner_is_assignee_and_creator_unless_the_rules_name_others() -> None:
    assert Rules().with_default_owner("u1").model_dump(include={"assignee", "creator"}) == {
        "assignee": "u1",
        "creator": "u1",
    }
    named = Rules(assignee="oncall", creator="bot").with_default_owner("u1")
    assert (named.assignee, named.creator) == ("oncall", "bot")
    by_scene = Rules(assignee_scene="s", assignee_role="r").with_default_owner("u1")
    assert (by_scene.assignee, by_scene.creator) == (None, "u1"), "a scene and role stand for the assignee"


def _incident(rules: Rules, **fields: Any) -> Any:
    given: dict[str, Any] = {
        "level": "level_10",
        "title": "CPU high",
        "description": "cpu above 90%",
        "region_id": "cn-north-4",
        "application_id": "app-1",
        "start_time": 1709118444540,
    }
    return incident_request(rules, **(given | fields))


def test_the_incident_takes_the_alarms_values_and_the_rules_people() -> None:
    request = _incident(Rules(assignee="oncall", creator="bot", incident_type="inc_type_p_hardware_issues"))
    assert request.incident_level == "level_10" and request.incident_type == "inc_type_p_hardware_issues"
    assert (request.incident_title, request.incident_description) == ("CPU high", "cpu above 90%")
    assert request.incident_source == "incident_source_alarm" and request.is_service_interrupt is False
    assert (request.region, request.current_cloud_service) == (["cn-north-4"], ["app-1"])
    assert (request.incident_assignee, request.creator, request.start_time) == (["oncall"], "bot", 1709118444540)


def test_the_alarms_application_comes_before_the_rules_and_either_may_be_missing() -> None:
    rules = Rules(assignee="oncall", current_cloud_service="app-default")
    assert _incident(rules).current_cloud_service == ["app-1"]
    assert _incident(rules, application_id=None).current_cloud_service == ["app-default"]
    assert not _incident(Rules(assignee="oncall"), application_id=None, region_id=None).current_cloud_service


def test_an_incident_by_scene_and_role_has_no_assignee_and_a_fallback_creator() -> None:
    request = _incident(Rules(assignee_scene="scene-1", assignee_role="role-1"))
    assert (request.assignee_scene, request.assignee_role) == ("scene-1", "role-1")
    assert not request.incident_assignee and request.creator == "opencoc-alarms"


def test_title_and_description_are_cut_to_the_incidents_limits() -> None:
    request = _incident(Rules(assignee="oncall"), title="t" * 300, description="d" * 900)
    assert (len(request.incident_title), len(request.incident_description)) == (200, 600)
