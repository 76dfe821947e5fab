"""Finding a tenant's order, and the error codes the jobs API answers with."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencoc.core.errors import OpenCOCError
from opencoc.jobs.models import ScriptOrder

INVALID = "COC.00040701"
ORDER_NOT_FOUND = "COC.00040709"


def order_not_found(execute_uuid: str) -> OpenCOCError:
    return OpenCOCError(ORDER_NOT_FOUND, f"script order[{execute_uuid}] does not exist")


def get_order(session: Session, *, tenant_id: int, execute_uuid: str) -> ScriptOrder:
    """The tenant's order, or COC.00040709 (also for another tenant's order)."""
    order = session.scalar(
        select(ScriptOrder).where(ScriptOrder.tenant_id == tenant_id, ScriptOrder.execute_uuid == execute_uuid)
    )
    if order is None:
        raise order_not_found(execute_uuid)
    return order
