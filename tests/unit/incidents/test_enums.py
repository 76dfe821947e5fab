"""The incident enumerations of §4.4.1.6 (incidents/enums.py): the names the detail's enum_data_list shows."""

from opencoc.incidents import enums, workflow


def test_levels_are_p1_to_p5_in_both_languages() -> None:
    assert enums.LEVELS == {f"level_{n}0": (f"P{n}", f"P{n}") for n in range(1, 6)}


def test_every_status_the_workflow_reaches_has_both_names() -> None:
    sources = {status for (_, status, _) in workflow.TRANSITIONS}
    reached = {enums.TRIGGERED} | sources | set(workflow.TRANSITIONS.values())
    for status in reached:
        name_zh, name_en = enums.STATUSES[status]
        assert name_zh and name_en == status.removeprefix("INCIDENT_STATUS_"), status


def test_the_seed_names_of_statuses_types_and_sources() -> None:
    assert enums.STATUSES[enums.COMPLETED] == ("已完成", "COMPLETED")
    assert enums.STATUSES[enums.RESOLVED] == ("待验证", "RESOLVED")
    assert enums.TYPES["inc_type_p_security_issues"] == ("安全问题", "Security issues")
    assert all(key.startswith("inc_type_p_") and zh and en for key, (zh, en) in enums.TYPES.items())
    assert len(enums.TYPES) == 13
    assert set(enums.SOURCES) == {"incident_source_manual", "incident_source_forwarding", "incident_source_alarm"}


def test_the_operations_are_the_workflows_and_the_error_codes_are_distinct() -> None:
    assert set(enums.OPERATE_KEYS) == {key for (key, _, _) in workflow.TRANSITIONS}
    codes = (enums.INVALID_CODE, enums.NOT_FOUND_CODE, enums.WRONG_STATUS_CODE, enums.NOT_PERMITTED_CODE)
    assert len(set(codes)) == 4 and all(code.startswith("COC.") for code in codes)
