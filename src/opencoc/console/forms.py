"""Form values <-> the API's bodies, and the API's validation message split onto the form's fields."""

import re
from datetime import UTC, datetime

from opencoc.core.errors import OpenCOCError


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _first_mention(part: str, field: str) -> int | None:
    """Where the message first names `field` (as sent, or in COC's camelCase), None if it does not."""
    found = re.search(rf"(?<![A-Za-z0-9_])({re.escape(field)}|{re.escape(_camel(field))})(?![A-Za-z0-9_])", part)
    return found.start() if found else None


def field_errors(message: str, fields: tuple[str, ...]) -> dict[str, str]:
    """The API's message (problems joined by " | ") keyed by the form field each names first; the rest under ""."""
    out: dict[str, list[str]] = {}
    for part in message.split(" | "):
        mentions = [(at, f) for f in fields if (at := _first_mention(part, f)) is not None]
        field = min(mentions)[1] if mentions else ""
        out.setdefault(field, []).append(part)
    return {field: "; ".join(parts) for field, parts in out.items()}


def ms_from_local(value: str, field: str) -> int | None:
    """An `<input type="datetime-local">` value, read as UTC, in epoch milliseconds; None when empty."""
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise OpenCOCError("COC.00000001", f"{field} must be a date and time (YYYY-MM-DDTHH:MM)") from None
    return int(parsed.replace(tzinfo=UTC).timestamp() * 1000)


def local_from_ms(ms: int | None) -> str:
    """Epoch milliseconds as a `datetime-local` value in UTC ("" when unset)."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M")
