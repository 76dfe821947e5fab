"""Wire models of the resources API (sdk-wire.md §3.4, ListResourcesResponse items)."""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from opencoc.core.envelopes import WireModel
from opencoc.core.json_bounds import Bounds, checker

# A cloud's description of a server (flavor, image, disks, NICs) is larger than an alarm's extras.
PROPERTIES_BOUNDS = Bounds(chars=64 * 1024)


class Tag(BaseModel):
    key: str = Field(max_length=128)
    value: str = Field(max_length=255)


class SyncRequest(BaseModel):
    provider: str = Field(min_length=1, max_length=64)
    type: str = Field(min_length=1, max_length=64)


class ImportedResource(BaseModel):
    """One object of the file `opencoc resource import` reads."""

    model_config = ConfigDict(extra="forbid")

    resource_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=255)
    provider: str = Field("ecs", min_length=1, max_length=64)
    type: str = Field("cloudservers", min_length=1, max_length=64)
    project_id: str | None = Field(None, max_length=64)
    region_id: str | None = Field(None, max_length=64)
    zone_id: str | None = Field(None, max_length=64)
    ep_id: str | None = Field(None, max_length=64)
    inner_ip: str | None = Field(None, max_length=64)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    properties: Annotated[dict[str, Any], AfterValidator(checker(PROPERTIES_BOUNDS))] = Field(default_factory=dict)


class TagView(WireModel):
    key: str
    value: str


class ResourceView(WireModel):
    """One resource of list_resources (BatchListResourceResponseData); times are ISO 8601 text."""

    id: str
    resource_id: str
    domain_id: str
    name: str
    provider: str
    type: str
    project_id: str | None
    project_name: str | None
    region_id: str | None
    ep_id: str
    ep_name: str | None
    tags: list[TagView]
    agent_id: str | None
    agent_state: str | None
    properties: dict[str, Any]
    ingest_properties: dict[str, str]
    is_delegated: bool
    inner_ip: str | None
    operable: str
    is_associate_group: bool
    associated_group_list: list[str]
    create_time: str
    update_time: str
