"""Wire models of the v2 incident API (`/v2/incidents/...`): the SDK's models, COC's validation wording.

Terraform's `huaweicloud_coc_incident_action` sends every param as a string, so flags and
millisecond timestamps take their string forms too (`Flag`, `Ms` of the v1 schemas).
Everything a client sends is bounded: list lengths, string lengths, integers (page, per_page).
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from opencoc.core.envelopes import WireModel
from opencoc.core.json_bounds import checker
from opencoc.core.limits import INT32_MAX
from opencoc.incidents import v2_workflow
from opencoc.incidents.schemas import (
    PARAMETER_BOUNDS,
    CommitSolutionParameter,
    ConfirmParameter,
    Flag,
    IncidentType,
    Level,
    Ms,
    Source,
    Str255,
    _string,
    _Wire,
)

Text1000 = Annotated[str, BeforeValidator(_string), Field(max_length=1000)]
Text300 = Annotated[str, BeforeValidator(_string), Field(max_length=300)]
Name64 = Annotated[str, BeforeValidator(_string), Field(max_length=64)]

MAX_FILTERS = 50
MAX_VALUES = 100
MAX_COUNT_FILTERS = 20
MAX_FIELDS = 50
MAX_CONDITION = 1024
MAX_PER_PAGE = 100
MAX_ALL = 1000  # contain_all: at most this many tickets in one answer (`total` tells the rest)


class ExecuteActionRequest(_Wire):
    """Body of POST /v2/incidents/{incident_id}/actions (ExecuteActionParamsV2)."""

    task_id: Annotated[str, BeforeValidator(_string), Field(min_length=1, max_length=255)]
    action: Annotated[str, BeforeValidator(_string), Field(min_length=1, max_length=64)]
    params: Annotated[dict[str, Any], AfterValidator(checker(PARAMETER_BOUNDS))] | None = None

    @model_validator(mode="after")
    def _known_action(self) -> "ExecuteActionRequest":
        self.action = v2_workflow.canonical(self.action)
        if self.action not in v2_workflow.ACTIONS:
            raise PydanticCustomError("coc_rule", f"The field[action] value[{self.action}] invalid")
        return self


# The params of each action (what the provider's docs list); unknown keys are ignored, as v1 does.


class NoParams(_Wire):
    """accepted, recovery: nothing to pass."""


class ForwardParams(_Wire):
    """unAcceptedForward / acceptedForward: to a person, or to an on-call scene and role."""

    virtual_schedule_type: Str255 | None = None
    virtual_schedule_role: Str255 | None = None
    virtual_send_assignee: Str255 | None = None
    virtual_send_comment: Text1000 | None = None
    virtual_current_location_info: Text1000 | None = None

    @model_validator(mode="after")
    def _someone(self) -> "ForwardParams":
        if not self.virtual_send_assignee and not (self.virtual_schedule_type and self.virtual_schedule_role):
            raise PydanticCustomError(
                "coc_rule",
                "params.virtual_send_assignee, or both params.virtual_schedule_type and "
                "params.virtual_schedule_role, must be set",
            )
        return self


class RemarkParams(_Wire):
    note: Annotated[str, BeforeValidator(_string), Field(min_length=1, max_length=1000)]


class SolutionParams(CommitSolutionParameter):
    resolve_attachments: Annotated[str, BeforeValidator(_string), Field(max_length=2048)] | None = None


class PauseParams(_Wire):
    pause_end_time: Ms
    pause_reason: Text1000 | None = None


class PauseDecisionParams(_Wire):
    pause_approve_conclusion: Flag | None = None
    note: Text1000 | None = None


class ChangeLevelParams(_Wire):
    virtual_target_level: Level
    virtual_change_level_comment: Text1000 | None = None


class LevelDecisionParams(_Wire):
    conclusion: Flag | None = None
    note: Text1000 | None = None


class RejectParams(_Wire):
    virtual_confirm_comment: Text300 | None = None


class CloseParams(_Wire):
    note: Text1000 | None = None


class ReopenParams(_Wire):
    """Reopen: the fields given replace the incident's (each change is in the history)."""

    mtm_region: Str255 | None = None
    enterprise_project_id: Str255 | None = None
    current_cloud_service_id: Str255 | None = None
    level_id: Level | None = None
    is_service_interrupt: Flag | None = None
    mtm_type: IncidentType | None = None
    title: Annotated[str, BeforeValidator(_string), Field(min_length=1, max_length=200)] | None = None
    description: Annotated[str, BeforeValidator(_string), Field(max_length=600)] | None = None
    attachments: Annotated[str, BeforeValidator(_string), Field(max_length=2048)] | None = None
    source_id: Source | None = None
    incident_ownership: Str255 | None = None
    start_time: Ms | None = None
    assignee: Str255 | None = None
    assignee_scene: Str255 | None = None
    assignee_role: Str255 | None = None


W = v2_workflow
PARAMS: dict[tuple[str, str], type[_Wire]] = {
    (W.ACCEPT_NODE.key, W.ACCEPTED): NoParams,
    (W.ACCEPT_NODE.key, W.UNACCEPTED_FORWARD): ForwardParams,
    (W.ACCEPT_NODE.key, W.REJECT): RejectParams,
    (W.HANDLE_NODE.key, W.COMMIT_SOLUTION): SolutionParams,
    (W.HANDLE_NODE.key, W.ACCEPTED_FORWARD): ForwardParams,
    (W.HANDLE_NODE.key, W.PAUSE): PauseParams,
    (W.HANDLE_NODE.key, W.CHANGE_LEVEL): ChangeLevelParams,
    (W.PAUSE_APPROVAL_NODE.key, W.AGREED): PauseDecisionParams,
    (W.PAUSE_APPROVAL_NODE.key, W.REJECT): PauseDecisionParams,
    (W.PAUSED_NODE.key, W.RECOVERY): NoParams,
    (W.LEVEL_APPROVAL_NODE.key, W.AGREED): LevelDecisionParams,
    (W.LEVEL_APPROVAL_NODE.key, W.REJECT): LevelDecisionParams,
    (W.CONFIRM_NODE.key, W.CONFIRM): ConfirmParameter,
    (W.REJECTED_NODE.key, W.REOPEN): ReopenParams,
    (W.REJECTED_NODE.key, W.AGREED): CloseParams,
}


def params_model(node_key: str, action: str) -> type[_Wire]:
    return RemarkParams if action == W.ADD_REMARK else PARAMS[(node_key, action)]


# Lists: ListTicketParamsV2 and ListTicketParamsWithPageV2.


def _filter_value(value: Any) -> Any:
    """A filter value: a string (≤ 255) or an integer (64-bit); anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError("coc_invalid", "invalid")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise PydanticCustomError("coc_rule", "values must be integers within 64 bits")
    if isinstance(value, str) and len(value) > 255:
        raise PydanticCustomError("coc_rule", "values must be at most 255 characters each")
    return value


FilterValue = Annotated[str | int, BeforeValidator(_filter_value)]


class ObjectFilterV2(_Wire):
    operator: Annotated[str, BeforeValidator(_string), Field(max_length=16)] | None = None
    field: Name64 | None = None
    group: Name64 | None = None
    name: Name64 | None = None
    match_type: Name64 | None = None
    priority_type: Name64 | None = None
    values: Annotated[list[FilterValue], Field(max_length=MAX_VALUES)] | None = None


class CountFilterV2(_Wire):
    name: Name64 | None = None
    filters: Annotated[list[ObjectFilterV2], Field(max_length=MAX_FILTERS)] | None = None


def _one_filter(name: str) -> BeforeValidator:
    """Terraform's incidents data source sends `group_by_filter` as a list of one: take its item."""

    def check(value: Any) -> Any:
        if isinstance(value, list):
            if len(value) > 1:
                raise PydanticCustomError("coc_rule", f"{name} must hold at most one filter")
            return value[0] if value else None
        return value

    return BeforeValidator(check)


def _between(name: str, low: int, high: int) -> BeforeValidator:
    """An integer within [low, high]; the message names the field as sent and both bounds."""

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise PydanticCustomError("coc_rule", f"{name} must be an integer between {low} and {high}")
        return value

    return BeforeValidator(check)


class ListParamsV2(_Wire):
    """Body of POST /v2/incidents/{incident_id}/histories (ListTicketParamsV2)."""

    fields: Annotated[list[Name64], Field(max_length=MAX_FIELDS)] | None = None
    count_filters: Annotated[list[CountFilterV2], Field(max_length=MAX_COUNT_FILTERS)] | None = None
    string_filters: Annotated[list[ObjectFilterV2], Field(max_length=MAX_FILTERS)] | None = None
    group_by_filter: Annotated[ObjectFilterV2 | None, _one_filter("group_by_filter")] = None
    int_filters: Annotated[list[ObjectFilterV2], Field(max_length=MAX_FILTERS)] | None = None
    sort_filter: Annotated[ObjectFilterV2 | None, _one_filter("sort_filter")] = None
    condition: Annotated[str, BeforeValidator(_string), Field(max_length=MAX_CONDITION)] | None = None


class ListPageParamsV2(ListParamsV2):
    """Body of POST /v2/incidents/list (ListTicketParamsWithPageV2)."""

    page: Annotated[int, _between("page", 1, INT32_MAX)] = 1
    per_page: Annotated[int, _between("per_page", 1, MAX_PER_PAGE)] = 10
    contain_all: Flag = False
    contain_total: Flag = True
    contain_sub_ticket: Flag = False
    ticket_types: Annotated[list[Name64], Field(max_length=10)] | None = None


# Responses.


class TaskOperation(WireModel):
    task_id: str
    key: str


class TaskNode(WireModel):
    """One node of the incident's workflow (CocTaskDetailV2); only the node it is at has operations."""

    type: str
    key: str
    name: str
    state: str
    operations: list[TaskOperation]


class EnumDataV2(WireModel):
    prop_id: str
    biz_id: str
    name_zh: str
    name_en: str


class IncidentV2(WireModel):
    """One ticket of the v2 list (CocIncidentDataV2); `fields` may select some keys, so none is required."""

    current_cloud_service_id: str | None = None
    level_id: str | None = None
    mtm_region: str | None = None
    source_id: str | None = None
    forward_rule_id: str | None = None
    enterprise_project_id: str | None = None
    mtm_type: str | None = None
    title: str | None = None
    description: str | None = None
    ticket_id: str | None = None
    is_service_interrupt: str | None = None
    work_flow_status: str | None = None
    phase: str | None = None
    assignee: str | None = None
    creator: str | None = None
    operator: str | None = None
    update_time: str | None = None
    create_time: str | None = None
    start_time: str | None = None
    handle_time: str | None = None
    incident_ownership: str | None = None
    enum_data_list: list[EnumDataV2] | None = None


class NamedCount(WireModel):
    name: str
    count: int


class GroupCount(WireModel):
    value: str | None
    count: int


class IncidentListV2(WireModel):
    """`data` of POST /v2/incidents/list (an `object` in the SDK): the page, and what was asked to count."""

    tickets: list[IncidentV2]
    total: int | None
    page: int
    per_page: int
    counts: list[NamedCount]
    groups: list[GroupCount]


class FieldChange(WireModel):
    field: str
    before: Any
    after: Any


class HistoryV2(WireModel):
    """One operation (CocTicketHistoryBaseInfoV2), and our `task_id` and `changes` (before/after)."""

    action: str
    action_name_zh: str
    action_name_en: str
    operator: str
    status: str
    start_time: str
    stop_time: str
    comment: str | None
    enum_data_list: list[EnumDataV2]
    task_id: str | None
    changes: list[FieldChange]


class HistoryPageV2(WireModel):
    total: int
    info: list[HistoryV2]


class ExternalAttachment(WireModel):
    doc_id: str
    doc_name: str


class AttachmentEnvelope(WireModel):
    """CreateExternalCocAttachmentResponse: `{code, provider_code, msg, data}`."""

    code: str
    provider_code: str
    msg: str | None
    data: ExternalAttachment
