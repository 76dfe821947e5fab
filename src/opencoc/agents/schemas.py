"""Wire models of the agent protocol (docs/agent-protocol.md)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from opencoc.core.envelopes import WireModel


class AgentFacts(BaseModel):
    """What an agent reports about its host."""

    model_config = ConfigDict(extra="ignore")

    hostname: Annotated[str, Field(min_length=1, max_length=255)] = "unknown"
    fixed_ip: Annotated[str | None, Field(max_length=64)] = None
    ips: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=64)] = []
    os_type: Annotated[str | None, Field(max_length=16)] = None
    os_name: Annotated[str | None, Field(max_length=255)] = None
    kernel: Annotated[str | None, Field(max_length=128)] = None
    region_id: Annotated[str | None, Field(max_length=64)] = None
    zone_id: Annotated[str | None, Field(max_length=64)] = None
    agent_version: Annotated[str | None, Field(max_length=32)] = None


class EnrollRequest(BaseModel):
    token: str = Field(min_length=1, max_length=256)
    facts: AgentFacts = Field(default_factory=AgentFacts)


class EnrollResponse(WireModel):
    agent_sn: str
    agent_secret: str
    resource_id: str


class HeartbeatRequest(BaseModel):
    facts: AgentFacts | None = None


class HeartbeatResponse(WireModel):
    server_time: int
