"""An integration's alarm -> incident rules, and the incident an alarm becomes under them."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from opencoc.incidents import enums as incident_enums
from opencoc.incidents.schemas import CreateIncidentRequest

ALARM_SOURCE = "incident_source_alarm"
DEFAULT_LEVEL_MAP: dict[str, str | None] = {
    "Critical": "level_10",
    "Major": "level_20",
    "Minor": "level_30",
    "Info": None,
}
DEFAULT_INCIDENT_TYPE = "inc_type_p_reliability_issues"

Text255 = Annotated[str, Field(min_length=1, max_length=255)]


class Rules(BaseModel):
    """Level mapping (None = no incident), incident type, application and who gets the incident."""

    model_config = ConfigDict(extra="forbid")

    level_map: dict[str, str | None] = Field(default_factory=lambda: dict(DEFAULT_LEVEL_MAP))
    incident_type: str = DEFAULT_INCIDENT_TYPE
    current_cloud_service: Text255 | None = None
    assignee: Text255 | None = None
    assignee_scene: Text255 | None = None
    assignee_role: Text255 | None = None
    creator: Text255 | None = None

    @field_validator("level_map")
    @classmethod
    def _levels(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        merged = dict(DEFAULT_LEVEL_MAP)
        for alarm_level, incident_level in value.items():
            if alarm_level not in DEFAULT_LEVEL_MAP:
                raise ValueError(f"key {alarm_level} invalid, expected Critical|Major|Minor|Info")
            if incident_level is not None and incident_level not in incident_enums.LEVELS:
                raise ValueError(f"{alarm_level} value[{incident_level}] invalid, expected level_10..level_50 or null")
            merged[alarm_level] = incident_level
        return merged

    @field_validator("incident_type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in incident_enums.TYPES:
            raise ValueError(f"value[{value}] invalid, expected one of the incident types (inc_type_p_...)")
        return value

    @model_validator(mode="after")
    def _scene_with_role(self) -> "Rules":
        if bool(self.assignee_scene) != bool(self.assignee_role):
            raise ValueError("assignee_scene and assignee_role must be set together")
        return self

    def with_default_owner(self, user_id: str) -> "Rules":
        """These rules, with `user_id` as assignee (when nobody is) and as creator (when unset)."""
        update: dict[str, Any] = {}
        if not self.assignee and not self.assignee_scene:
            update["assignee"] = user_id
        if not self.creator:
            update["creator"] = user_id
        return self.model_copy(update=update)


def incident_request(
    rules: Rules,
    *,
    level: str,
    title: str,
    description: str,
    region_id: str | None,
    application_id: str | None,
    start_time: int | None,
) -> CreateIncidentRequest:
    """The create request of the incident an alarm (or a group of alarms) becomes."""
    service = application_id or rules.current_cloud_service
    body: dict[str, Any] = {
        "incident_level": level,
        "is_service_interrupt": False,
        "incident_type": rules.incident_type,
        "incident_title": title[:200],
        "incident_description": description[:600],
        "incident_source": ALARM_SOURCE,
        "region": [region_id] if region_id else None,
        "current_cloud_service": [service] if service else None,
        "incident_assignee": [rules.assignee] if rules.assignee else None,
        "assignee_scene": rules.assignee_scene,
        "assignee_role": rules.assignee_role,
        "creator": rules.creator or rules.assignee or "opencoc-alarms",
        "start_time": start_time,
    }
    return CreateIncidentRequest.model_validate(body)
