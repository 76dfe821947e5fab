"""Operation histories of incidents as COC lists them: `POST /v1[/external]/{ticket_type}/list-histories`.

The body is the SDK's `ListTicketParams`: `string_filters` must name the tickets with a
`ticket_id` filter (`=` or `in`); `sort_filter` with operator `desc` lists newest first, anything
else oldest first. Each entry has the keys the Terraform data source
`huaweicloud_coc_ticket_operation_histories` reads from `data.info[]`, plus the stored `parameter`.
"""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import clip
from opencoc.incidents import enums
from opencoc.incidents.models import Incident, IncidentHistory
from opencoc.incidents.schemas import PARAMETER_BOUNDS
from opencoc.incidents.service import not_found

TICKET_TYPE = "incident"
MAX_TICKETS = 100

ACTION_NAMES = {
    enums.CREATE: ("Create incident", "创建事件单"),
    enums.ACCEPT: ("Accept incident", "受理事件单"),
    enums.COMMIT_SOLUTION: ("Submit solution", "提交解决方案"),
    enums.CONFIRM: ("Confirm result", "确认处理结果"),
    "alarmCleared": ("Alarm cleared", "告警已清除"),
    "escalate": ("Escalated to the next on-call level", "已升级至下一级值班人"),
}
_COMMENT_KEYS = ("virtual_confirm_comment", "solution", "alarm_name")


class ObjectFilter(BaseModel):
    name: str | None = None
    operator: str | None = None
    field: str | None = None
    values: list[str] | None = None


class ListTicketParams(BaseModel):
    string_filters: list[ObjectFilter] | None = None
    sort_filter: ObjectFilter | None = None


def check_ticket_type(ticket_type: str) -> None:
    if ticket_type != TICKET_TYPE:
        raise OpenCOCError(enums.INVALID_CODE, f"The field[ticket_type] value[{ticket_type}] invalid")


def ticket_ids(params: ListTicketParams) -> list[str]:
    """The incident numbers the `ticket_id` filters name; a 400 naming the rule when there are none."""
    ids: list[str] = []
    for item in params.string_filters or []:
        if (item.field or item.name) != "ticket_id":
            continue
        if (item.operator or "=") not in ("=", "in"):
            raise OpenCOCError(enums.INVALID_CODE, f"The field[string_filters.operator] value[{item.operator}] invalid")
        ids += item.values or []
    if not ids:
        raise OpenCOCError(enums.INVALID_CODE, "string_filters must contain a ticket_id filter with values")
    if len(ids) > MAX_TICKETS or any(len(i) > 255 for i in ids):
        raise OpenCOCError(enums.INVALID_CODE, f"ticket_id values must be at most {MAX_TICKETS}, each ≤ 255 chars")
    return list(dict.fromkeys(ids))


def _entry(row: IncidentHistory) -> dict[str, Any]:
    name_en, name_zh = ACTION_NAMES.get(row.operate_key, (row.operate_key, row.operate_key))
    parameter = clip(row.parameter or {}, PARAMETER_BOUNDS.depth)
    comment = next((str(parameter[k]) for k in _COMMENT_KEYS if parameter.get(k)), None)
    return {
        "id": str(row.id),
        "action_id": str(row.id),
        "ticket_id": row.incident_num,
        "action": row.operate_key,
        "sub_action": None,
        "final_sub_action": None,
        "operator": row.operator,
        "comment": comment,
        "start_time": row.operate_time,
        "stop_time": row.operate_time,
        "update_time": row.operate_time,
        "target_type": None,
        "target_value": None,
        "is_deleted": False,
        "status": None,
        "action_name_en": name_en,
        "action_name_zh": name_zh,
        "action_template_en": name_en,
        "action_template_zh": name_zh,
        "enum_data_list": [],
        "parameter": parameter,
    }


def list_histories(session: Session, *, tenant_id: int, params: ListTicketParams) -> dict[str, Any]:
    """`{total, info}` of the named incidents of the tenant; an unknown one is COC.00067003."""
    ids = ticket_ids(params)
    known = set(
        session.scalars(
            select(Incident.incident_num).where(Incident.tenant_id == tenant_id, Incident.incident_num.in_(ids))
        )
    )
    missing = next((i for i in ids if i not in known), None)
    if missing is not None:
        raise not_found(missing)
    newest_first = (params.sort_filter.operator or "").lower() == "desc" if params.sort_filter else False
    rows = session.scalars(
        select(IncidentHistory)
        .where(IncidentHistory.tenant_id == tenant_id, IncidentHistory.incident_num.in_(ids))
        .order_by(IncidentHistory.id.desc() if newest_first else IncidentHistory.id)
    ).all()
    return {"total": len(rows), "info": [_entry(row) for row in rows]}
