"""Wire models of the alarms domain: the normalised alarm report and the alarm-mgmt request bodies.

The webhooks' own bodies are models of their own (`custom.py`, `prometheus.py`) whose errors are
worded as COC words them; the signed alarm-mgmt bodies' errors name the snake_case wire fields.
Both wordings come from core/validation.py.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from opencoc.alarms.rules import Rules
from opencoc.core import validation
from opencoc.core.envelopes import CocEnvelope, WireModel
from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import JsonObject
from opencoc.core.limits import INT32_MAX, INT32_MIN, MAX_MS

INVALID_CODE = "COC.00000001"
NOT_FOUND_CODE = "COC.00000404"
LEVELS = ("Critical", "Major", "Minor", "Info")
ACTIVE = "alarm"
CLEARED = "ok"
STATUSES = (ACTIVE, CLEARED)
TYPES = ("custom", "prometheus")


@dataclass(slots=True)
class AlarmReport:
    """One alarm as a monitoring system reported it, whichever webhook it came through."""

    original_alarm_id: str
    alarm_name: str
    alarm_level: str
    time: int
    name_space: str
    alarm_desc: str
    alarm_source: str
    firing: bool
    region_id: str | None = None
    application_id: str | None = None
    resource_name: str | None = None
    resource_id: str | None = None
    url: str | None = None
    additional: dict[str, Any] | None = None


def _ids(value: Any) -> Any:
    """`alarm_ids` is a str in the SDK (comma-separated ids); a JSON array is accepted too."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


AlarmIds = Annotated[
    list[Annotated[str, Field(max_length=64)]], BeforeValidator(_ids), Field(min_length=1, max_length=100)
]
Text255 = Annotated[str, Field(max_length=255)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ClearAlarmRequest(_Wire):
    """Body of POST /v1/alarm-mgmt/alarms/cancel (ClearAlarmRequestBody)."""

    alarm_ids: AlarmIds
    remarks: Annotated[str, Field(max_length=1024)] | None = None
    is_service_interrupt: bool | None = None
    start_time: Annotated[int, Field(ge=0, le=MAX_MS)] | None = None
    fault_recovery_time: Annotated[int, Field(ge=0, le=MAX_MS)] | None = None


class AlarmToIncidentRequest(_Wire):
    """Body of POST /v1/alarm-mgmt/alarms-linked-incident (AlarmToIncidentRequestBody)."""

    alarm_ids: AlarmIds
    enterprise_project_id: Text255 | None = None
    assignee: Text255 | None = None
    assignee_role: Text255 | None = None
    assignee_scene: Text255 | None = None
    attachment: str | None = None
    current_cloud_service_id: Text255 | None = None
    description: Annotated[str, Field(max_length=600)] | None = None
    is_change_event: bool | None = None
    is_service_interrupt: bool | None = None
    level_id: Text255 | None = None
    mtm_region: Text255 | None = None
    mtm_type: Text255 | None = None
    source_id: Text255 | None = None
    title: Annotated[str, Field(max_length=200)] | None = None


class AlarmScheduleInstance(_Wire):
    """One batch of hosts of handler_alarm (AlarmScheduleInstance)."""

    target_selection: Text255 | None = None
    target_instances: Annotated[str, Field(max_length=65536)] | None = None
    order_no: Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)] | None = None
    batch_strategy: Text255 | None = None


class AutoHandlerAlarmRequest(_Wire):
    """Body of POST /v1/alarm-mgmt/alarm/{alarm_id}/auto-process (AutoHandlerAlarmRequestBody)."""

    task_type: Annotated[str, Field(min_length=1, max_length=64)]
    associated_task_id: Annotated[str, Field(min_length=1, max_length=255)]
    associated_task_type: Annotated[str, Field(max_length=64)] | None = None
    associated_task_name: Text255 | None = None
    associated_task_enterprise_project_id: Text255 | None = None
    runbook_instance_mode: Text255 | None = None
    input_param: dict[str, str] | None = None
    target_instances: list[AlarmScheduleInstance] | None = Field(default=None, max_length=100)
    region_id: Text255 | None = None
    sub_task_info: JsonObject | None = None


class CreateIntegrationRequest(_Wire):
    """Body of POST /opencoc/v1/alarm-mgmt/integrations (ours)."""

    name: Annotated[str, Field(min_length=1, max_length=64)]
    type: Literal["custom", "prometheus"]
    rules: Rules = Field(default_factory=Rules)


M = TypeVar("M", bound=BaseModel)


def nul_path(value: Any, path: str = "") -> str | None:
    """Where in `value` a string holds a NUL character (PostgreSQL text cannot store one), if anywhere.

    Walked with a stack of its own: a value may be nested deeper than Python's recursion limit.
    """
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return where or "body"
        elif isinstance(node, dict):
            for key, item in reversed(list(node.items())):  # reversed: the first problem in order is named
                stack.append((item, f"{where}.{key}" if where else str(key)))
                stack.append((key, where))
        elif isinstance(node, list):
            stack.extend((item, f"{where}[{index}]") for index, item in reversed(list(enumerate(node))))
    return None


def check_nul(value: Any, what: str = "") -> None:
    """400 when a string in `value` holds a NUL character."""
    found = nul_path(value, what)
    if found:
        raise OpenCOCError(INVALID_CODE, f"{found} must not contain NUL characters")


def parse(model: type[M], data: Any) -> M:
    """Validate `data` as `model`; a 400 naming every failing field otherwise."""
    check_nul(data)
    return validation.parse(model, data, code=INVALID_CODE)


# Responses: the `data` of each route, or the whole body where COC puts the fields at the top level.


class AlarmView(WireModel):
    """One alarm of GET /v1/alarm-mgmt/alarms (ours: the SDK has no list)."""

    alarm_id: str
    original_alarm_id: str
    alarm_name: str
    alarm_level: str
    alarm_status: str
    count: int
    first_time: int
    last_time: int
    incident_num: str | None
    integration_id: str | None
    integration_name: str | None
    name_space: str
    region_id: str | None
    application_id: str | None
    resource_name: str | None
    resource_id: str | None
    alarm_desc: str
    URL: str | None
    alarm_source: str
    additional: dict[str, Any] | None
    clear_time: int | None
    cleared_by: str | None
    create_time: int
    update_time: int


class AlarmPage(WireModel):
    total: int
    items: list[AlarmView] = Field(alias="list")


class AlarmDetail(AlarmView):
    """`data` of show_alarm: AlarmInfoDTO's fields, beside those of our list."""

    id: str
    name: str
    importance: str
    come_from: str
    come_from_en: str
    transfer_rule: str | None
    transfer_rule_name: str | None
    app: str | None
    status: str
    owner: str | None
    owner_name: str | None
    owner_alias: str | None
    converge_count: int
    associate_event_id: str | None
    domain_id: str
    creator: str | None
    creator_name: str | None
    remarks: str | None
    region: str | None
    task_type: str | None
    associated_task_type: str | None
    associated_task_id: str | None
    associated_task_name: str | None


class AlarmHandleHistory(WireModel):
    """One handling of an alarm (AlarmHandleHistory); `sub_task_info` is the free-form object handler_alarm was sent."""

    work_order_id: str
    create_name: str
    create_alias: str
    task_type: str
    start_time: int
    end_time: int | None
    duration: int | None
    status: str
    associated_task_id: str | None
    associated_task_name: str | None
    sub_task_info: dict[str, Any] | None


class ResolvedRecord(WireModel):
    resolved_time: int | None
    create_name: str | None
    remarks: str | None


class HandleHistoriesBody(CocEnvelope[None]):
    """The whole body of list_alarm_handle_histories: the SDK reads its fields beside the envelope's."""

    count: int
    alarm_handle_histories: list[AlarmHandleHistory]
    resolved_record: ResolvedRecord | None


class AutoProcessed(WireModel):
    """`data` of handler_alarm: the alarm's work order and the script order it started."""

    work_order_id: str
    associated_task_id: str


class IntegrationView(WireModel):
    """An integration (ours); its key is shown only when created."""

    integration_id: str
    name: str
    type: str
    enabled: bool
    integration_key_prefix: str
    rules: dict[str, Any]
    create_time: int
    update_time: int


class CreatedIntegration(IntegrationView):
    integration_key: str
    url: str


class IntegrationPage(WireModel):
    total: int
    items: list[IntegrationView] = Field(alias="list")
