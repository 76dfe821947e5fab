"""Wire models of `/opencoc/v1/oncall/...`: request bodies (bounded) and the `{data}` responses."""

import datetime as dt
from typing import Annotated, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from opencoc.core import validation
from opencoc.core.limits import MAX_MS

T = TypeVar("T")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$"
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=NAME_PATTERN)]
UserId = Annotated[str, Field(min_length=1, max_length=64)]
Millis = Annotated[int, Field(ge=0, le=MAX_MS)]
RotationKind = Literal["daily", "weekly", "shifts"]
MAX_USERS = 100
MAX_SHIFTS = 500
MAX_LEVEL = 20
MAX_DELAY_SECONDS = 7 * 86_400
MAX_DAYS = 62


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: object) -> M:
    """`data` as `model`, or the API's 400 naming every failing field (the console's forms use it)."""
    return validation.parse(model, data, code="OPENCOC.ONCALL.INVALID")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SceneBody(_Body):
    """A scene to create, or its new settings."""

    name: Name
    escalation_delay_seconds: int | None = Field(
        default=None, ge=1, le=MAX_DELAY_SECONDS,
        description="a level_10/level_20 incident not accepted within this goes to the next level; none: never",
    )  # fmt: skip
    channel: Name = Field(default="EMAIL", description="the tenant's notification channel the notices go through")


class ShiftBody(_Body):
    user_id: UserId
    start_ms: Millis
    end_ms: Millis

    @model_validator(mode="after")
    def _ordered(self) -> "ShiftBody":
        if self.end_ms <= self.start_ms:
            raise ValueError("end_ms must be after start_ms")
        return self


class RotationBody(_Body):
    """Daily or weekly hand-offs at `handoff_time` in `time_zone` from `start_date`, or explicit `shifts`."""

    kind: RotationKind
    users: list[UserId] = Field(default_factory=list, max_length=MAX_USERS, description="in hand-off order")
    handoff_time: str = Field(default="09:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    time_zone: str = Field(default="UTC", min_length=1, max_length=64, description="an IANA zone")
    start_date: dt.date = Field(default=dt.date(2024, 1, 1), description="the first user's first shift begins then")
    shifts: list[ShiftBody] = Field(default_factory=list, max_length=MAX_SHIFTS)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone [{value}]") from None
        return value

    @field_validator("start_date")
    @classmethod
    def _year(cls, value: dt.date) -> dt.date:
        if not 1970 <= value.year <= 2200:
            raise ValueError("must be between 1970-01-01 and 2200-12-31")
        return value

    @model_validator(mode="after")
    def _complete(self) -> "RotationBody":
        if self.kind == "shifts" and self.users:
            raise ValueError("users: an explicit rotation lists its users in its shifts")
        if self.kind != "shifts" and self.shifts:
            raise ValueError(f"shifts: a {self.kind} rotation has no explicit shifts")
        return self


class RoleBody(_Body):
    """A role of a scene at its escalation level (1 first), with its rotation."""

    level: int = Field(ge=1, le=MAX_LEVEL)
    rotation: RotationBody | None = None


class OverrideBody(_Body):
    """`user_id` is on call over [start_ms, end_ms) instead of the rotation's user."""

    user_id: UserId
    start_ms: Millis
    end_ms: Millis

    @model_validator(mode="after")
    def _ordered(self) -> "OverrideBody":
        if self.end_ms <= self.start_ms:
            raise ValueError("end_ms must be after start_ms")
        return self


class Rotation(BaseModel):
    kind: RotationKind
    users: list[str]
    handoff_time: str
    time_zone: str
    start_date: dt.date
    shifts: list[ShiftBody]


class Override(BaseModel):
    id: int
    scene: str
    role: str
    user_id: str
    user_name: str | None
    start_ms: int
    end_ms: int


class Role(BaseModel):
    name: str
    level: int
    rotation: Rotation | None


class Scene(BaseModel):
    id: int
    name: str
    escalation_delay_seconds: int | None
    channel: str
    roles: list[Role]
    gmt_created: int
    gmt_modified: int


class OnCallNow(BaseModel):
    scene: str
    role: str
    level: int
    at_ms: int
    user_id: str | None
    user_name: str | None


class ScheduleShift(BaseModel):
    user_id: str
    user_name: str | None
    start_ms: int
    end_ms: int
    override: bool


class RoleSchedule(BaseModel):
    role: str
    level: int
    shifts: list[ScheduleShift]


class Schedule(BaseModel):
    scene: str
    start_ms: int
    end_ms: int
    roles: list[RoleSchedule]


class Escalation(BaseModel):
    """An incident's notices: the next level to notify, when, and the last problem (nobody on call ...)."""

    incident_num: str
    scene: str | None
    level: int
    steps: int
    status: str
    next_at: int
    last_error: str | None
    gmt_created: int


class Data(BaseModel, Generic[T]):
    """Our own APIs' envelope on success (errors: `{error_code, error_msg}`)."""

    data: T
