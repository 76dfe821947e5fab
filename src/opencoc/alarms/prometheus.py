"""The Alertmanager webhook payload (version 4) -> alarm reports.

Mapping: `labels.alertname` -> alarm name, `labels.severity` -> level (see SEVERITIES; anything
else is Minor), `fingerprint` -> original alarm id (dedup key; derived from the labels when a
sender leaves it out), `startsAt` -> time, `status` firing/resolved -> alarm/ok, annotations
`description` (or `summary`) -> description, labels `region`, `application` (or `app`),
`instance`, `namespace` (or `job`) -> region, application, resource and namespace. Strings are cut
to the 255 characters an alarm field holds: Alertmanager cannot be asked to send shorter ones.
"""

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from opencoc.alarms.custom import free_form, invalid
from opencoc.alarms.schemas import INVALID_CODE, AlarmReport
from opencoc.core.clock import now_ms
from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import DEFAULT

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


def _cut(value: Any) -> str | None:
    """A label or annotation as an alarm field: NUL characters dropped, at most 255 characters."""
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "")[:255] or None


def _ms(value: Any, where: str, problems: list[str]) -> int:
    """RFC 3339 (Go's nanoseconds allowed) -> ms since the epoch; now when absent."""
    if value is None or value == "":
        return now_ms()
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(_FRACTION.sub(r"\1", value.replace("Z", "+00:00")))
            return max(0, int(stamp.timestamp() * 1000))
        except ValueError:
            pass
    problems.append(invalid(where, value))
    return 0


def _fingerprint(labels: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def _alert(alert: Any, where: str, problems: list[str]) -> AlarmReport | None:
    if not isinstance(alert, dict):
        problems.append(invalid(where, alert))
        return None
    status = alert.get("status")
    if status not in ("firing", "resolved"):
        problems.append(f"{where}.status must not be null" if status is None else invalid(f"{where}.status", status))
    labels = alert.get("labels")
    if not isinstance(labels, dict):
        problems.append(f"{where}.labels must not be null" if labels is None else invalid(f"{where}.labels", labels))
        return None
    name = labels.get("alertname")
    if not isinstance(name, str) or not name:
        problems.append(f"{where}.labels.alertname must not be null")
    annotations = alert.get("annotations") or {}
    if not isinstance(annotations, dict):
        problems.append(invalid(f"{where}.annotations", annotations))
        annotations = {}
    free_form(f"{where}.labels", labels, DEFAULT, problems)
    free_form(f"{where}.annotations", annotations, DEFAULT, problems)
    ends = alert.get("endsAt")
    if ends is not None and (not isinstance(ends, str) or len(ends) > 64):
        problems.append(invalid(f"{where}.endsAt", ends))
    fingerprint = alert.get("fingerprint")
    if fingerprint is not None and (
        not isinstance(fingerprint, str) or not 0 < len(fingerprint) <= 255 or "\x00" in fingerprint
    ):
        problems.append(invalid(f"{where}.fingerprint", fingerprint))
    starts = _ms(alert.get("startsAt"), f"{where}.startsAt", problems)
    if problems:
        return None
    severity = str(labels.get("severity", "")).lower()
    description = annotations.get("description") or annotations.get("summary") or name
    return AlarmReport(
        original_alarm_id=fingerprint or _fingerprint(labels),
        alarm_name=_cut(name) or "alert",
        alarm_level=SEVERITIES.get(severity, "Minor"),
        time=starts,
        name_space=_cut(labels.get("namespace")) or _cut(labels.get("job")) or "prometheus",
        alarm_desc=_cut(description) or _cut(name) or "alert",
        alarm_source="prometheus",
        firing=status == "firing",
        region_id=_cut(labels.get("region")),
        application_id=_cut(labels.get("application")) or _cut(labels.get("app")),
        resource_name=_cut(labels.get("instance")),
        resource_id=_cut(labels.get("resource_id")) or _cut(labels.get("instance")),
        url=_cut(alert.get("generatorURL")),
        additional={"labels": labels, "annotations": annotations, "endsAt": ends},
    )


def parse(body: Any) -> list[AlarmReport]:
    """The reports of every alert in `body`, or a 400 naming each failing field; nothing is stored then."""
    if not isinstance(body, dict):
        raise OpenCOCError(INVALID_CODE, "request body must be a JSON object")
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        msg = "alerts must not be null" if alerts is None else invalid("alerts", alerts)
        raise OpenCOCError(INVALID_CODE, msg)
    problems: list[str] = []
    reports = [_alert(alert, f"alerts[{i}]", problems) for i, alert in enumerate(alerts)]
    if problems:
        named = list(dict.fromkeys(problems))
        more = f" | ... {len(named) - MAX_PROBLEMS} more" if len(named) > MAX_PROBLEMS else ""
        raise OpenCOCError(INVALID_CODE, " | ".join(named[:MAX_PROBLEMS]) + more)
    return [report for report in reports if report is not None]
