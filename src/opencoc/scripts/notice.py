"""The notice to a script's reviewers when it waits for review, queued through `notifications.notify`.

The script's `protocol` names the tenant channel it goes to (a channel named EMAIL, SMS, ...);
DEFAULT uses the DEFAULT channel, else the EMAIL one; NOT_TO_NOTIFY sends nothing. Reviewers are
reached at their addresses on that channel and at their own notification targets.
"""

from sqlalchemy.orm import Session

from opencoc.notifications import service as notifications
from opencoc.scripts.models import Script
from opencoc.scripts.statuses import PENDING_APPROVE

EVENT = "scripts.review_requested"
NOT_TO_NOTIFY = "NOT_TO_NOTIFY"


def _channel(session: Session, tenant_id: int, protocol: str) -> str:
    if protocol != "DEFAULT":
        return protocol
    return "DEFAULT" if "DEFAULT" in notifications.channel_names(session, tenant_id=tenant_id) else "EMAIL"


def request_review(session: Session, script: Script) -> None:
    """Queue the notice in the caller's transaction when the script waits for review."""
    protocol = script.protocol or "DEFAULT"
    if script.status != PENDING_APPROVE or protocol == NOT_TO_NOTIFY:
        return
    reviewers = ", ".join(r["reviewer_name"] for r in script.reviewers)
    notifications.notify(
        session,
        tenant_id=script.tenant_id,
        event=EVENT,
        channels=[_channel(session, script.tenant_id, protocol)],
        recipients=[r["reviewer_id"] for r in script.reviewers if r.get("reviewer_id")],
        title=f"[OpenCOC] Script {script.name} is waiting for your review",
        body=(
            f"Script {script.name} ({script.script_uuid}), version {script.version}, risk {script.risk_level},"
            f" type {script.type}, modified by {script.operator}, is waiting for review by {reviewers}.\n"
            f"Approve or reject it with: opencoc script approve {script.script_uuid}"
            f" | opencoc script reject {script.script_uuid}"
        ),
    )
