"""Wire models of the war rooms: COC's create and list bodies (the SDK's names), their responses,
and the bodies and views of our own `/opencoc/v1/warrooms/...`.

Every string is bounded and refuses control characters (a NUL would fail PostgreSQL); timeline
text keeps its newlines.
"""

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from opencoc.core import validation
from opencoc.core.envelopes import WireModel
from opencoc.core.json_bounds import Bounds, checker
from opencoc.core.limits import INT32_MAX, MAX_MS
from opencoc.warrooms.statuses import Kind, Status

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
INVALID_CODE = "COC.00000001"
NOT_FOUND_CODE = "COC.00067003"
MAX_TEXT = 2000
MAX_ITEMS = 100
MODES_BOUNDS = Bounds(chars=4 * 1024)
_CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


def _line(value: Any) -> Any:
    """A string without control characters."""
    if not isinstance(value, str) or any(ch in _CONTROL for ch in value):
        raise PydanticCustomError("coc_invalid", "invalid")
    return value


def _text(value: Any) -> Any:
    """A string whose only control characters are newlines and tabs."""
    if not isinstance(value, str) or any(ch in _CONTROL and ch not in "\n\r\t" for ch in value):
        raise PydanticCustomError("coc_invalid", "invalid")
    return value


def _posted(value: Any) -> Any:
    """Timeline text: newlines and tabs are kept, other control characters refused by name."""
    if isinstance(value, str) and any(ch in _CONTROL and ch not in "\n\r\t" for ch in value):
        raise ValueError("must not hold control characters other than newlines and tabs")
    return value


Str64 = Annotated[str, BeforeValidator(_line), Field(max_length=64)]
Str255 = Annotated[str, BeforeValidator(_line), Field(max_length=255)]
Required64 = Annotated[str, BeforeValidator(_line), Field(min_length=1, max_length=64)]
Required255 = Annotated[str, BeforeValidator(_line), Field(min_length=1, max_length=255)]
Ms = Annotated[int, Field(ge=0, le=MAX_MS, strict=True)]
Strings = Annotated[list[Str255], Field(max_length=MAX_ITEMS)]


def parse(model: type[M], data: Any) -> M:
    """Validate `data` as `model`; a 400 in COC's words naming every failing field."""
    return validation.parse(model, data, code=INVALID_CODE, wording=validation.COC_INDEXED)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ScheduleGroup(_Wire):
    """A scene and role (ScheduleGroupInfo): whoever is on call for them joins. Ids are our names."""

    scene_id: Required64
    role_id: Required64


class CreateWarRoomRequest(_Wire):
    """Body of POST /v1/external/warrooms (CreateWarRoomRequestBody)."""

    war_room_name: Required255
    description: Annotated[str, BeforeValidator(_text), Field(max_length=1024)] = ""
    region_code_list: Strings | None = None
    application_id_list: Strings = []
    incident_number: Required64
    schedule_group: Annotated[list[ScheduleGroup], Field(max_length=20)] = []
    participant: Annotated[list[Required64], Field(max_length=MAX_ITEMS)] | None = None
    war_room_admin: Required64
    application_names: Strings | None = None
    region_names: Strings | None = None
    enterprise_project_id: Str64 = "0"
    notification_type: Str64 | None = None
    notification_modes: Annotated[list[Any], AfterValidator(checker(MODES_BOUNDS)), Field(max_length=10)] | None = None


class ListWarRoomsRequest(_Wire):
    """Body of POST /v1/external/warrooms/list (ListTenantWarRoomRequestBody)."""

    limit: Annotated[int, Field(ge=1, le=1000, strict=True)] = 10
    offset: Annotated[int, Field(ge=0, le=INT32_MAX, strict=True)] = 0
    current_users: Strings | None = None
    war_room_nums: Strings | None = None
    incident_num: Str255 | None = None
    title: Str255 | None = None
    region_code_list: Strings | None = None
    incident_levels: Strings | None = None
    impacted_application_ids: Strings | None = None
    admin: Strings | None = None
    status: Strings | None = None
    triggered_start_time: Ms | None = None
    triggered_end_time: Ms | None = None
    occur_start_time: Ms | None = None
    occur_end_time: Ms | None = None
    recover_start_time: Ms | None = None
    recover_end_time: Ms | None = None
    notification_level: Strings | None = None
    enterprise_project_ids: Strings | None = None
    war_room_num: Str255 | None = None
    statistic_flag: Annotated[bool, Field(strict=True)] = False


# Responses of COC's routes: the list's `data` (the Terraform data source's attributes).


class Enumeration(WireModel):
    id: str
    name_zh: str
    name_en: str
    type: str


class WarRoomIncident(WireModel):
    id: str
    incident_id: str
    alarm_id: str | None
    is_change_event: bool
    source_id: int | None
    failure_level: str
    incident_url: str


class CodeName(WireModel):
    code: str
    name: str


class IdName(WireModel):
    id: str
    name: str


class WarRoomInfo(WireModel):
    """One war room of the list (WarRoomTenantInfo); `id` is the war room's number."""

    id: str
    title: str
    admin: str
    recover_member: list[str]
    recover_leader: list[str]
    incident: WarRoomIncident
    source: str
    regions: list[CodeName]
    change_num: str | None
    occur_time: int
    recover_time: int | None
    fault_cause: str | None
    create_time: int
    first_report_time: int | None
    recovery_notification_time: int | None
    fault_impact: str | None
    description: str
    circular_level: str
    war_room_status: Enumeration
    impacted_application: list[IdName]
    processing_duration: int
    restoration_duration: int | None
    war_room_num: str
    enterprise_project_id: str


class WarRoomList(WireModel):
    """`list` is null when only the counts were asked for (`statistic_flag`)."""

    list: list[WarRoomInfo] | None
    total_num: int
    running_num: int
    closed_num: int


# Our own API: bodies and views.


class Data(BaseModel, Generic[T]):
    """Our own APIs' envelope on success (errors: `{error_code, error_msg}`)."""

    data: T


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntryBody(_Body):
    """A post to the timeline: a status update, a decision or a note; newlines are kept."""

    kind: Kind = Field(default="note", description="status, decision or note")
    text: Annotated[str, BeforeValidator(_posted), Field(min_length=1, max_length=MAX_TEXT)]


class StatusBody(_Body):
    status: Status


class SettingsBody(_Body):
    """The tenant's war-room settings (admins): `auto_level_10` opens a war room for every new P1 incident."""

    auto_level_10: StrictBool


class SettingsView(WireModel):
    auto_level_10: bool
    modified_by: str | None
    modified: int | None


class Member(WireModel):
    user_id: str
    joined_as: str
    scene: str | None
    role: str | None


class Entry(WireModel):
    """A timeline entry; `source` incident: an operation on the incident (no id of its own)."""

    id: int | None
    kind: str
    source: Literal["war_room", "incident"]
    author: str
    text: str
    created: int


class WarRoomView(WireModel):
    war_room_num: str
    name: str
    description: str
    status: str
    incident_num: str
    incident_level: str
    regions: list[str]
    applications: list[str]
    admin: str
    notification_type: str | None
    created: int
    modified: int
    recover_time: int | None
    members: list[Member]
    timeline: list[Entry]
