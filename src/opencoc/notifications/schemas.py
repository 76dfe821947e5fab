"""Wire models of `/opencoc/v1/notifications/...`: request bodies and the `{data}` responses."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from opencoc.notifications.statuses import OutboxStatus

T = TypeVar("T")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class ChannelBody(BaseModel):
    """A channel to create, or its new name and URL."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    url: str = Field(min_length=1, max_length=2048, description="An Apprise URL; may hold {targets}")


class TargetBody(BaseModel):
    """One of the caller's own targets: an Apprise URL, or `mailto:me@example.com`."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2048)


class Channel(BaseModel):
    id: int
    name: str
    scheme: str
    url: str = Field(description="masked: passwords and tokens shown as ****")
    gmt_created: int
    gmt_modified: int


class Target(BaseModel):
    id: int
    kind: str = Field(description="url (sent to directly) or address (reached through the tenant's channels)")
    scheme: str
    url: str = Field(description="masked")
    gmt_created: int


class OutboxItem(BaseModel):
    id: int
    event: str
    destination: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    next_attempt_at: int
    gmt_created: int
    gmt_sent: int | None


class TestResult(BaseModel):
    delivered: bool
    error: str | None = None


class Data(BaseModel, Generic[T]):
    """Our own APIs' envelope on success (errors: `{error_code, error_msg}`)."""

    data: T
