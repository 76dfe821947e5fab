"""Wire models of script execution, order operations and the agent's task results."""

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
