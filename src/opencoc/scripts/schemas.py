"""Wire models of the scripts API (field names exactly as the COC wire has them)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from opencoc.core.envelopes import WireModel
from opencoc.scripts.statuses import ReviewStatus

SENSITIVE_MASK = "*" * 17  # what COC (and the Terraform provider) show for a sensitive value
# The seed's `^((?!{2,})[a-zA-Z0-9_-/*\x20?:"'=\+@\[\]\{\}])*$` and its second spelling
# (which adds `.` and `,`), read as: these characters only, and never two dots in a row.
# `$`, `;`, `|`, `&`, backquotes and newlines are refused: a default cannot inject shell.
PARAM_VALUE_RULE = r"(?!.*\.\.)[A-Za-z0-9_\-/.*\x20?:\"',=+@\[\]{}]*"

ScriptType = Literal["SHELL", "PYTHON", "BAT"]
RiskLevel = Literal["LOW", "MEDIUM", "HIGH"]
Protocol = Literal["DEFAULT", "SMS", "EMAIL", "DING_TALK", "WE_LINK", "WECHAT", "CALLNOTIFY", "NOT_TO_NOTIFY"]

# \A...\Z with Python's re: `$` would also accept a name ending in a newline.
NAME_PATTERN = r"\A[A-Za-z0-9_]+\Z"
PYTHON_RE = ConfigDict(regex_engine="python-re")
MAX_PARAMS = 20


class ReviewerInfo(BaseModel):
    reviewer_name: str = Field(min_length=1, max_length=64)
    reviewer_id: str = Field(max_length=32)


class ScriptProperties(BaseModel):
    risk_level: RiskLevel
    version: str = Field(min_length=1, max_length=10)
    reviewers: list[ReviewerInfo] | None = Field(default=None, max_length=5)
    protocol: Protocol | None = None


class ScriptParamDefine(BaseModel):
    model_config = PYTHON_RE

    param_name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    param_value: str  # length and pattern are checked by the service: COC.00040601 "The paramValue is invalid."
    param_description: str = Field(max_length=256)
    param_order: int = Field(ge=1, le=MAX_PARAMS)
    sensitive: bool = False


class AddScriptModel(BaseModel):
    """POST /v1/job/scripts."""

    model_config = PYTHON_RE

    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    properties: ScriptProperties
    description: str = Field(min_length=1, max_length=256)
    type: ScriptType
    content: str = Field(min_length=1, max_length=4096)
    enterprise_project_id: str | None = Field(default=None, max_length=64)
    script_params: list[ScriptParamDefine] | None = Field(default=None, max_length=MAX_PARAMS)


class EditScriptModel(BaseModel):
    """PUT /v1/job/scripts/{script_uuid}; `name` and `type` may be sent but must not change."""

    description: str = Field(min_length=1, max_length=256)
    content: str = Field(min_length=1, max_length=4096)
    properties: ScriptProperties | None = None
    script_params: list[ScriptParamDefine] | None = Field(default=None, max_length=MAX_PARAMS)
    name: str | None = Field(default=None, max_length=64)
    type: str | None = Field(default=None, max_length=16)


class ApprovalJobScriptModel(BaseModel):
    """POST /v1/job/scripts/{script_uuid}/action."""

    status: ReviewStatus
    comments: str | None = Field(default=None, max_length=1024)


class JobScriptAnalyzeRequest(BaseModel):
    """POST /v1/job/analyze-job."""

    content: str = Field(min_length=1, max_length=4096)


class ResourceTag(BaseModel):
    key: str = Field(min_length=1, max_length=128)
    value: str = Field(max_length=255)


class UpdateResourceTagsBody(BaseModel):
    """POST /v1/script/coc:script/{script_uuid}/tags/update: the whole new tag set."""

    tags: list[ResourceTag] = Field(max_length=20)


# Responses: the `data` of each route.


class ReviewerView(WireModel):
    reviewer_name: str
    reviewer_id: str


class PropertiesView(WireModel):
    """A script's properties (ScriptPropertiesModel)."""

    risk_level: str
    version: str
    reviewers: list[ReviewerView]
    protocol: str | None


class TagView(WireModel):
    key: str
    value: str


class ScriptBase(WireModel):
    """What list_scripts and get_script both say of a script, and our `resource_tags` and `usage_count`.

    `enterprise_project_id` differs on purpose, as COC's own: a list item says "0" when the script has
    none, the detail reads back what was given (null if none).
    """

    script_uuid: str
    enterprise_project_id: str | None
    name: str
    type: str
    status: str
    gmt_created: int
    gmt_modified: int
    creator: str
    creator_id: str
    operator: str
    properties: PropertiesView
    resource_tags: list[TagView]
    usage_count: int


class ScriptItem(ScriptBase):
    """One script of list_scripts (ScriptListModel)."""

    id: int
    enterprise_project_id: str


class ScriptPage(WireModel):
    total: int
    data: list[ScriptItem]


class ParamView(WireModel):
    """A parameter's definition; a sensitive default shows as the mask."""

    param_name: str
    param_value: str
    param_description: str
    param_order: int
    sensitive: bool


class ScriptDetail(ScriptBase):
    """`data` of get_script (ScriptDetailModel)."""

    version: str
    description: str
    content: str
    script_params: list[ParamView]


class BlacklistCommand(WireModel):
    command_name: str
    command_rule: str
    example: str
    description_en: str
    description_zh: str


class RiskView(WireModel):
    """`data` of check_script_risk."""

    risk_level: str
    blacklist_commands: list[BlacklistCommand]


class TagKeyView(WireModel):
    key: str
    values: list[str]


class TagKeyPage(WireModel):
    """`data` of list_script_resource_tags."""

    tags: list[TagKeyView]
    total: int
