"""Wire models of script execution, order operations and the agent's task results."""

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from opencoc.core.envelopes import WireModel
from opencoc.core.limits import INT32_MAX, INT32_MIN, INT64_MAX, MAX_MS
from opencoc.jobs.statuses import OperationType, ResultStatus, RotationStrategy
from opencoc.scripts.schemas import PARAM_VALUE_RULE

MAX_HOSTS = 200
MAX_BATCH_HOSTS = 10
MAX_BATCHES = 20
MAX_PARAMS = 20

# Patterns that guard input are anchored with \A and \Z and run by Python's `re`: `$` also
# matches before a final newline, which let `"hello\n"` through as a value.
# The seed's param_value rule, read as the scripts domain reads it: these characters only, and
# never two dots in a row.
PARAM_VALUE_PATTERN = rf"\A{PARAM_VALUE_RULE}\Z"
EXECUTE_USER_PATTERN = r"\A[^\s:/\\]+\Z"

MAX_OUTPUT = 2 * 1024 * 1024  # characters: twice what an agent keeps of a task's output (1 MiB)
MAX_ERROR = 1024  # the size of the instance's `error` column
# Neither can be stored as text (PostgreSQL refuses NUL; a lone UTF-16 surrogate is not UTF-8),
# and our agent never sends them (it decodes output with errors="replace" and drops NULs).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ScriptExecuteParamReference(BaseModel):
    refer_type: str = Field(max_length=32)
    param_id: str = Field(max_length=64)
    param_version: str | None = Field(default=None, max_length=32)


class ScriptExecuteInputParam(BaseModel):
    model_config = ConfigDict(regex_engine="python-re")

    param_name: str = Field(min_length=1, max_length=64)
    param_value: str = Field(max_length=1024, pattern=PARAM_VALUE_PATTERN)
    param_order: int | None = Field(default=None, ge=1, le=MAX_PARAMS)
    param_refer: ScriptExecuteParamReference | None = None


class ScriptExecuteParam(BaseModel):
    model_config = ConfigDict(regex_engine="python-re")

    resourceful: bool | None = None
    timeout: int = Field(ge=5, le=1800)
    success_rate: float = Field(ge=1, le=100)
    execute_user: str = Field(min_length=1, max_length=32, pattern=EXECUTE_USER_PATTERN)
    script_params: list[ScriptExecuteInputParam] | None = Field(default=None, max_length=MAX_PARAMS)

    @field_validator("success_rate")
    @classmethod
    def _one_decimal(cls, value: float) -> float:
        if round(value, 1) != value:
            raise ValueError("can contain at most one decimal place")
        return value


class CustomAttribute(BaseModel):
    key: str = Field(min_length=1, max_length=20)
    value: str = Field(max_length=50)


class ExecuteResourceInstance(BaseModel):
    resource_id: str = Field(min_length=1, max_length=64)
    agent_sn: str | None = Field(default=None, min_length=1, max_length=32)
    region_id: str | None = Field(default=None, max_length=32)
    project_id: str | None = Field(default=None, max_length=32)
    provider: str | None = Field(default=None, max_length=32)
    type: str | None = Field(default=None, max_length=32)
    custom_attributes: list[CustomAttribute] | None = Field(default=None, max_length=5)


class ExecuteInstancesBatchInfo(BaseModel):
    batch_index: int = Field(ge=1, le=MAX_BATCHES)
    target_instances: list[ExecuteResourceInstance] = Field(min_length=1, max_length=MAX_BATCH_HOSTS)
    rotation_strategy: RotationStrategy


class ScriptExecuteModel(BaseModel):
    """POST /v1/job/scripts/{script_uuid}."""

    execute_param: ScriptExecuteParam
    execute_batches: list[ExecuteInstancesBatchInfo] = Field(min_length=1, max_length=MAX_BATCHES)


class JobScriptOrderOperationBody(BaseModel):
    """PUT /v1/job/script/orders/{execute_uuid}/operation."""

    operation_type: OperationType
    batch_index: int | None = Field(default=None, ge=1, le=MAX_BATCHES)
    instance_id: int | None = Field(default=None, ge=1, le=INT64_MAX)


class TaskResult(BaseModel):
    """POST /opencoc/v1/agent/tasks/{task_id}/result."""

    status: ResultStatus
    exit_code: int | None = Field(default=None, ge=INT32_MIN, le=INT32_MAX)
    output: str = Field(default="", max_length=MAX_OUTPUT)
    started_at: int | None = Field(default=None, ge=0, le=MAX_MS)
    finished_at: int | None = Field(default=None, ge=0, le=MAX_MS)
    error: str | None = Field(default=None, max_length=MAX_ERROR)

    @field_validator("output", "error")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        if value is not None and UNSTORABLE.search(value):
            raise ValueError("must not contain NUL characters or lone surrogates (\\ud800-\\udfff)")
        return value


# Responses: the `data` of each route (the agent feed's bodies are ours, without an envelope).


class OrderListProperties(WireModel):
    region_ids: str | None


class OrderItem(WireModel):
    """One order of list_script_jobs (JobScriptOrderListModel)."""

    order_id: int
    order_name: str
    execute_uuid: str
    gmt_created: int
    gmt_finished: int | None
    execute_costs: int
    creator: str
    status: str
    properties: OrderListProperties


class OrderPage(WireModel):
    total: int
    data: list[OrderItem]


class OrderParam(WireModel):
    """An execution parameter as the order shows it (sensitive values masked)."""

    param_name: str
    param_value: str
    param_order: int | None


class OrderExecuteParam(WireModel):
    resourceful: bool | None
    timeout: int
    success_rate: float
    execute_user: str
    script_params: list[OrderParam]


class OrderInfoProperties(WireModel):
    script_uuid: str
    script_name: str
    script_version_uuid: int
    script_version_name: str
    current_execute_batch_index: int
    execute_param: OrderExecuteParam
    script_source: str
    reason: str | None


class OrderInfo(WireModel):
    """`data` of get_script_job_info (JobScriptOrderInfoModel)."""

    execute_uuid: str
    gmt_created: int
    gmt_finished: int | None
    execute_costs: int
    creator: str
    status: str
    properties: OrderInfoProperties


class BatchItem(WireModel):
    """One batch of list_script_job_batches; `properties` is the batch's state."""

    batch_index: int
    total_instances: int
    rotation_strategy: str
    properties: str


class TargetProperties(WireModel):
    host_name: str | None
    fixed_ip: str | None
    floating_ip: str | None
    region_id: str | None
    zone_id: str | None
    application: str | None
    group: str | None
    project_id: str | None


class AttributeView(WireModel):
    key: str
    value: str


class TargetInstance(WireModel):
    resource_id: str
    provider: str
    region_id: str | None
    type: str
    custom_attributes: list[AttributeView] | None
    agent_sn: str | None
    agent_status: str | None
    project_id: str | None
    properties: TargetProperties


class ExecuteInstance(WireModel):
    """One instance of a batch, with its log in `message`."""

    id: int
    target_instance: TargetInstance
    gmt_created: int
    gmt_finished: int | None
    execute_costs: int
    status: str
    message: str | None


class BatchDetail(WireModel):
    """`data` of get_script_job_batch (JobScriptBatchDetailModel)."""

    batch_index: int
    total_instances: int
    execute_instances: list[ExecuteInstance]


class InstanceStatistic(WireModel):
    instance_status: str
    instance_count: int
    batch_indexes: list[int]


class OrderStatistics(WireModel):
    """`data` of get_script_job_statistics."""

    total_instance: int
    execute_statistics: list[InstanceStatistic]


class TaskParam(WireModel):
    name: str
    value: str
    sensitive: bool


class AgentTask(WireModel):
    """A task as the agent runs it (docs/agent-protocol.md)."""

    task_id: str
    script_type: str
    content: str
    params: list[TaskParam]
    execute_user: str
    timeout: int


class TaskFeed(WireModel):
    """GET /opencoc/v1/agent/tasks: due tasks, and the task ids to cancel."""

    tasks: list[AgentTask]
    cancel: list[str]


class ResultAccepted(WireModel):
    """POST /opencoc/v1/agent/tasks/{task_id}/result: false for a repeat; with `?wait=`, also the agent's
    next feed (as GET /opencoc/v1/agent/tasks answers it)."""

    accepted: bool
    tasks: list[AgentTask] | None = None
    cancel: list[str] | None = None
