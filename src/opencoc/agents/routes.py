"""HTTP routes of the agents domain: enrolment and heartbeat (the task feed lives in jobs)."""

from fastapi import APIRouter

from opencoc.agents import flows, service
from opencoc.agents.deps import Admitted, CurrentAgent, EnrollerDep, Registry, SlotAdmitted
from opencoc.agents.schemas import EnrollRequest, EnrollResponse, HeartbeatRequest, HeartbeatResponse
from opencoc.core.clock import now_ms
from opencoc.core.deps import Db
from opencoc.core.openapi import ERRORS

router = APIRouter(prefix="/opencoc/v1/agent", tags=["agents"], responses=ERRORS["job"])


@router.post("/enroll")
async def enroll(body: EnrollRequest, enroller: EnrollerDep, slot: SlotAdmitted) -> EnrollResponse:
    """Enrol a host with a tenant's enrolment token; the secret is returned only here."""
    # Admitted and its body read: what is left is waiting for its batch's commit (the enroller writes
    # one batch at a time), which must not keep a slot from the requests that have work to do.
    slot.release()
    new = await enroller.submit(body.token, body.facts)
    return EnrollResponse(agent_sn=new.agent_sn, agent_secret=new.secret, resource_id=new.resource_id)


@router.post("/heartbeat", dependencies=[Admitted])
async def heartbeat(body: HeartbeatRequest, agent: CurrentAgent, db: Db, registry: Registry) -> HeartbeatResponse:
    """A sign of life; new host facts are stored only when they changed."""
    now = now_ms()
    facts = body.facts
    if facts is not None and service.facts_changed(agent, facts):
        forgotten = registry.forgotten
        updated = await db.run_write(lambda s: flows.update_facts(s, agent_id=agent.id, facts=facts, now=now))
        if updated is not None:
            registry.put(updated, forgotten)
    return HeartbeatResponse(server_time=now)
