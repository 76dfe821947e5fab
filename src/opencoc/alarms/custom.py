"""The body of POST /v1/event/huawei/custom/{integration_key} (§4.4.2), checked by hand.

Every problem is reported, joined by ` | ` in COC's words: `alarmName must not be null | alarmId
must not be null`. Required fields are checked in the seed example's order (alarmName first).
"""

from typing import Any

from opencoc.alarms.schemas import ACTIVE, CLEARED, INVALID_CODE, LEVELS, AlarmReport, nul_path
from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import DEFAULT, Bounds, preview, violation

MAX_MS = 9_999_999_999_999
ADDITIONAL = DEFAULT
# What an alarm's `additional` may hold once stored: Alertmanager's labels and annotations (each
# within ADDITIONAL) sit one level down in it.
STORED_DEPTH = ADDITIONAL.depth + 1

# (wire name, required); strings hold 1..255 characters when required, 0..255 otherwise.
# `time` (a Long) is checked between alarmLevel and nameSpace, where the seed's table has it.
_BEFORE_TIME = (("alarmName", True), ("alarmId", True), ("alarmLevel", True))
_AFTER_TIME = (
    ("nameSpace", True),
    ("applicationId", True),
    ("alarmDesc", True),
    ("alarmSource", True),
    ("regionId", False),
    ("resourceName", False),
    ("resourceId", False),
    ("URL", False),
    ("alarmStatus", False),
)


def invalid(name: str, value: Any) -> str:
    return f"The field[{name}] value[{preview(value)}] invalid"


def free_form(name: str, value: Any, bounds: Bounds, problems: list[str]) -> bool:
    """Whether `value` is within `bounds` (depth, size as JSON); the problem is added otherwise."""
    rule = violation(value, bounds)
    if rule is not None:
        problems.append(f"{name} {rule}")
    return rule is None


def _string(body: dict[str, Any], name: str, required: bool, problems: list[str]) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            problems.append(f"{name} must not be null")
        return None
    if not isinstance(value, str) or "\x00" in value:
        problems.append(invalid(name, value))
        return None
    if required and not value.strip():
        problems.append(f"{name} must not be blank")
    elif len(value) > 255:
        problems.append(f"{name} size must be between {1 if required else 0} and 255")
    return value


def _time(body: dict[str, Any], problems: list[str]) -> int:
    value = body.get("time")
    if value is None:
        problems.append("time must not be null")
    elif isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        problems.append(invalid("time", value))
    elif not 0 <= value <= MAX_MS:
        problems.append(f"time must be between 0 and {MAX_MS}")
    else:
        return int(value)
    return 0


def _additional(body: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    value = body.get("additional")
    if value is None:
        return None
    if not isinstance(value, dict) or nul_path(value):
        problems.append(invalid("additional", value))
        return None
    return value if free_form("additional", value, ADDITIONAL, problems) else None


def parse(body: Any) -> AlarmReport:
    """The report in `body`, or a 400 that names every failing field; nothing is stored then."""
    if not isinstance(body, dict):
        raise OpenCOCError(INVALID_CODE, "request body must be a JSON object")
    problems: list[str] = []
    values = {name: _string(body, name, required, problems) for name, required in _BEFORE_TIME}
    level = values["alarmLevel"]
    if level is not None and level.strip() and level not in LEVELS:
        problems.append(invalid("alarmLevel", level))
    time = _time(body, problems)
    values.update({name: _string(body, name, required, problems) for name, required in _AFTER_TIME})
    status = values["alarmStatus"] or ACTIVE
    if status not in (ACTIVE, CLEARED):
        problems.append(invalid("alarmStatus", status))
    additional = _additional(body, problems)
    if problems:
        raise OpenCOCError(INVALID_CODE, " | ".join(dict.fromkeys(problems)))
    return AlarmReport(
        original_alarm_id=str(values["alarmId"]),
        alarm_name=str(values["alarmName"]),
        alarm_level=str(level),
        time=time,
        name_space=str(values["nameSpace"]),
        alarm_desc=str(values["alarmDesc"]),
        alarm_source=str(values["alarmSource"]),
        firing=status == ACTIVE,
        region_id=values["regionId"] or None,
        application_id=values["applicationId"],
        resource_name=values["resourceName"] or None,
        resource_id=values["resourceId"] or None,
        url=values["URL"] or None,
        additional=additional,
    )
