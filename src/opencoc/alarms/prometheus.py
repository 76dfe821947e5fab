"""The Alertmanager webhook payload (version 4) -> alarm reports.

Mapping: `labels.alertname` -> alarm name, `labels.severity` -> level (see SEVERITIES; anything
else is Minor), `fingerprint` -> original alarm id (dedup key; derived from the labels when a
sender leaves it out), `startsAt` -> time, `status` firing/resolved -> alarm/ok, annotations
`description` (or `summary`) -> description, labels `region`, `application` (or `app`),
`instance`, `namespace` (or `job`) -> region, application, resource and namespace. Strings are cut
to the 255 characters an alarm field holds: Alertmanager cannot be asked to send shorter ones.

The payload is checked as pydantic models, every problem named in COC's words with the alert's
index (core/validation.py): `alerts[1].labels.alertname must not be null`.
"""

import hashlib
import json
import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError

from opencoc.alarms.custom import invalid
from opencoc.alarms.schemas import INVALID_CODE, AlarmReport
from opencoc.core import validation
from opencoc.core.clock import now_ms
from opencoc.core.json_bounds import DEFAULT, checker, violation

SEVERITIES = {
    "critical": "Critical",
    "fatal": "Critical",
    "emergency": "Critical",
    "page": "Critical",
    "major": "Major",
    "error": "Major",
    "high": "Major",
    "warning": "Minor",
    "warn": "Minor",
    "minor": "Minor",
    "medium": "Minor",
    "info": "Info",
    "informational": "Info",
    "notice": "Info",
    "low": "Info",
    "none": "Info",
}
MAX_PROBLEMS = 20  # named in one error message: a body of 20,000 bad alerts must not answer megabytes
_FRACTION = re.compile(r"(\.\d{6})\d+")
_within_bounds = checker(DEFAULT)


def _cut(value: Any) -> str | None:
    """A label or annotation as an alarm field: NUL characters dropped, at most 255 characters."""
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "")[:255] or None


def _status(value: Any) -> Any:
    if value is None:
        raise PydanticKnownError("missing")
    if value not in ("firing", "resolved"):
        raise invalid()
    return value


def _labels(value: Any) -> Any:
    """An object with a name (`labels.alertname`), within bounds; both problems named when both hold."""
    if value is None:
        raise PydanticKnownError("missing")
    if not isinstance(value, dict):
        raise invalid()
    problems: list[InitErrorDetails] = []
    name = value.get("alertname")
    if not isinstance(name, str) or not name:
        problems.append({"type": "missing", "loc": ("alertname",), "input": name})
    rule = violation(value, DEFAULT)
    if rule is not None:
        problems.append({"type": PydanticCustomError("json_bounds", rule), "loc": (), "input": value})
    if problems:
        raise ValidationError.from_exception_data("labels", problems)
    return value


def _alerts(value: Any) -> Any:
    if value is None:
        raise PydanticKnownError("missing")
    return value


def _annotations(value: Any) -> Any:
    """An object within bounds; an absent or empty value is no annotations."""
    value = value or {}
    if not isinstance(value, dict):
        raise invalid()
    return _within_bounds(value)


def _ends_at(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or len(value) > 64):
        raise invalid()
    return value


def _fingerprint(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 255 or "\x00" in value):
        raise invalid()
    return value


def _ms(value: Any) -> int | None:
    """RFC 3339 (Go's nanoseconds allowed) -> ms since the epoch; None (now) when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(_FRACTION.sub(r"\1", value.replace("Z", "+00:00")))
            return max(0, int(stamp.timestamp() * 1000))
        except ValueError:
            pass
    raise invalid()


class Alert(BaseModel):
    """One alert of the payload (wire names as aliases); unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    status: Annotated[str, BeforeValidator(_status)]
    labels: Annotated[dict[str, Any], BeforeValidator(_labels)]
    annotations: Annotated[dict[str, Any], BeforeValidator(_annotations)] = Field(default_factory=dict)
    ends_at: Annotated[str | None, BeforeValidator(_ends_at)] = Field(None, alias="endsAt")
    fingerprint: Annotated[str | None, BeforeValidator(_fingerprint)] = None
    starts_at: Annotated[int | None, BeforeValidator(_ms)] = Field(None, alias="startsAt")
    generator_url: Any = Field(None, alias="generatorURL")

    @model_validator(mode="before")
    @classmethod
    def _labels_first(cls, data: Any) -> Any:
        """An alert without an object of labels is named for its status and labels only: the rest
        describes an alarm that is not there."""
        if isinstance(data, dict) and not isinstance(data.get("labels"), dict):
            return {key: data[key] for key in ("status", "labels") if key in data}
        return data


class Payload(BaseModel):
    """Alertmanager's webhook payload: only its alerts are read."""

    model_config = ConfigDict(extra="ignore")

    alerts: Annotated[list[Alert], BeforeValidator(_alerts)]


def _derived_fingerprint(labels: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def _report(alert: Alert) -> AlarmReport:
    labels, annotations = alert.labels, alert.annotations
    name = labels["alertname"]
    severity = str(labels.get("severity", "")).lower()
    description = annotations.get("description") or annotations.get("summary") or name
    return AlarmReport(
        original_alarm_id=alert.fingerprint or _derived_fingerprint(labels),
        alarm_name=_cut(name) or "alert",
        alarm_level=SEVERITIES.get(severity, "Minor"),
        time=now_ms() if alert.starts_at is None else alert.starts_at,
        name_space=_cut(labels.get("namespace")) or _cut(labels.get("job")) or "prometheus",
        alarm_desc=_cut(description) or _cut(name) or "alert",
        alarm_source="prometheus",
        firing=alert.status == "firing",
        region_id=_cut(labels.get("region")),
        application_id=_cut(labels.get("application")) or _cut(labels.get("app")),
        resource_name=_cut(labels.get("instance")),
        resource_id=_cut(labels.get("resource_id")) or _cut(labels.get("instance")),
        url=_cut(alert.generator_url),
        additional={"labels": labels, "annotations": annotations, "endsAt": alert.ends_at},
    )


def parse(body: Any) -> list[AlarmReport]:
    """The reports of every alert in `body`, or a 400 naming each failing field; nothing is stored then."""
    payload = validation.parse(Payload, body, code=INVALID_CODE, wording=validation.COC_INDEXED, limit=MAX_PROBLEMS)
    return [_report(alert) for alert in payload.alerts]
