"""The body of POST /v1/event/huawei/custom/{integration_key} (§4.4.2), as a pydantic model.

Every problem is reported, joined by ` | ` in COC's words (core/validation.py): `alarmName must
not be null | alarmId must not be null`. Fields are checked in the order they are declared: the
seed example's (alarmName first), with `time` between alarmLevel and nameSpace, where the seed's
table has it. A level or status outside its enumeration is named after the field's own problems
(`alarmLevel size must be between 1 and 255 | The field[alarmLevel] value[...] invalid`): the
enumeration is checked as a second field read from the same key.

The route parses the body with orjson, not with `model_validate_json`: pydantic's JSON parser
stops at 200 levels of nesting (orjson reads 1024, so a deep `additional` is named with its
rule) and reads NaN and 1e400 as numbers, which orjson refuses as not JSON.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError, PydanticKnownError

from opencoc.alarms.schemas import ACTIVE, INVALID_CODE, LEVELS, STATUSES, AlarmReport, nul_path
from opencoc.core import validation
from opencoc.core.json_bounds import DEFAULT, checker
from opencoc.core.limits import MAX_MS

ADDITIONAL = DEFAULT
# What an alarm's `additional` may hold once stored: Alertmanager's labels and annotations (each
# within ADDITIONAL) sit one level down in it.
STORED_DEPTH = ADDITIONAL.depth + 1
MAX_TEXT = 255


def invalid() -> PydanticCustomError:
    """COC's `The field[name] value[...] invalid` (core/validation.py words it)."""
    return PydanticCustomError("coc_invalid", "invalid")


def is_text(value: Any) -> bool:
    return isinstance(value, str) and "\x00" not in value


def _text(required: bool) -> BeforeValidator:
    """A string without NUL of at most 255 characters; when required, present and not blank."""

    def check(value: Any) -> Any:
        if value is None:
            if required:
                raise PydanticKnownError("missing")
            return None
        if not is_text(value):
            raise invalid()
        if required and not value.strip():
            raise PydanticKnownError("string_too_short", {"min_length": 1})
        if len(value) > MAX_TEXT:
            rule = "size must be between {min_length} and {max_length}"
            raise PydanticCustomError("coc_size", rule, {"min_length": int(required), "max_length": MAX_TEXT})
        return value

    return BeforeValidator(check)


def _known_level(value: Any) -> None:
    if is_text(value) and value.strip() and value not in LEVELS:
        raise invalid()


def _known_status(value: Any) -> None:
    if is_text(value) and value and value not in STATUSES:
        raise invalid()


def _whole_number(value: Any) -> Any:
    """A JSON number without a fraction (orjson reads integers beyond 64 bits as floats)."""
    if value is None:
        raise PydanticKnownError("missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid()
    if isinstance(value, float):
        if not value.is_integer():
            raise invalid()
        return int(value)
    return value


def _object(value: Any) -> Any:
    if value is not None and (not isinstance(value, dict) or nul_path(value)):
        raise invalid()
    return value


_within_bounds = checker(ADDITIONAL)
Required = Annotated[str, _text(True)]
Optional = Annotated[str | None, _text(False)]
Time = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=MAX_MS)]
Additional = Annotated[
    dict[str, Any] | None, BeforeValidator(_object), AfterValidator(lambda v: v if v is None else _within_bounds(v))
]


class CustomAlarm(BaseModel):
    """The body's fields (wire names as aliases); unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    alarm_name: Required = Field(alias="alarmName")
    alarm_id: Required = Field(alias="alarmId")
    alarm_level: Required = Field(alias="alarmLevel")
    known_level: Annotated[None, BeforeValidator(_known_level)] = Field(None, alias="alarmLevel")
    time: Time
    name_space: Required = Field(alias="nameSpace")
    application_id: Required = Field(alias="applicationId")
    alarm_desc: Required = Field(alias="alarmDesc")
    alarm_source: Required = Field(alias="alarmSource")
    region_id: Optional = Field(None, alias="regionId")
    resource_name: Optional = Field(None, alias="resourceName")
    resource_id: Optional = Field(None, alias="resourceId")
    url: Optional = Field(None, alias="URL")
    alarm_status: Optional = Field(None, alias="alarmStatus")
    known_status: Annotated[None, BeforeValidator(_known_status)] = Field(None, alias="alarmStatus")
    additional: Additional = None


def parse(body: Any) -> AlarmReport:
    """The report in `body`, or a 400 that names every failing field; nothing is stored then."""
    alarm = validation.parse(CustomAlarm, body, code=INVALID_CODE, wording=validation.COC)
    return AlarmReport(
        original_alarm_id=alarm.alarm_id,
        alarm_name=alarm.alarm_name,
        alarm_level=alarm.alarm_level,
        time=alarm.time,
        name_space=alarm.name_space,
        alarm_desc=alarm.alarm_desc,
        alarm_source=alarm.alarm_source,
        firing=(alarm.alarm_status or ACTIVE) == ACTIVE,
        region_id=alarm.region_id or None,
        application_id=alarm.application_id,
        resource_name=alarm.resource_name or None,
        resource_id=alarm.resource_id or None,
        url=alarm.url or None,
        additional=alarm.additional,
    )
