"""The agent's long-poll served bare: without the middleware and route layers around it.

Ten thousand idle agents each hold a poll for up to 30 s. As a FastRoute, each poll held the
request guards' frame and closures, the route's frames, its two dependency generators and the
Request with its caches: ~4 KB, 40 MB of the server's memory at 10,000 agents, and their CPU
(`bench/agents_idle.py --agents 10000`). Here it holds `poll_tasks`' own frames, the agent's presence
and its listener. `poll_tasks` (jobs/routes.py) stays the route: its declaration documents it in
/openapi.json, a poll with a body goes through it the FastRoute way, and every poll runs it:
`BarePoll` gives it the values its dependencies would, in their order (an admission slot, the
agent's presence, the query's `wait`), and answers as the request guards would (X-Request-Id, an
exception through the app's handlers, a crash as 500).
"""

import logging
from dataclasses import dataclass

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from opencoc.agents.deps import Presence, Slot, enter_presence, take_slot
from opencoc.core.fast_route import answer_exception, query_value
from opencoc.core.middleware import INTERNAL_ERROR_CODE, new_request_id, send_error
from opencoc.jobs.routes import POLL_WAIT_DEFAULT_S, PollWait, poll_tasks

log = logging.getLogger("opencoc")

_WAIT: TypeAdapter[float] = TypeAdapter(PollWait)


class BarePoll:
    """The ASGI app of `GET /opencoc/v1/agent/tasks` without a body (core/fast_app.py `serve_bare`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        admitted: _Admitted | None = None
        try:
            try:
                admitted = await _admit(scope)
                # Awaited here, not in a helper: each frame left open during the wait costs every idle agent.
                state = scope["app"].state
                response = await poll_tasks(
                    slot=admitted.slot,
                    presence=admitted.presence,
                    groups=state.jobs_task_groups,
                    announced=state.jobs_announced,
                    settings=state.settings,
                    wakeups=state.wakeups,
                    wait=admitted.wait,
                )
            except Exception as exc:
                response = await answer_exception(Request(scope, receive, send), exc)
            finally:
                if admitted is not None:
                    admitted.release()
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await send_error(scope, send, 500, INTERNAL_ERROR_CODE, "Internal server error", new_request_id())
            return
        # The id is made once there is an answer: the wait before it holds nothing it does not need.
        response.raw_headers.append((b"x-request-id", new_request_id().encode()))
        await response(scope, receive, send)


@dataclass(slots=True)
class _Admitted:
    """What the route's dependencies give a poll, in their order: an admission slot, the agent's presence, `wait`."""

    slot: Slot
    presence: Presence
    wait: float

    def release(self) -> None:
        self.presence.end()
        self.slot.release()


async def _admit(scope: Scope) -> _Admitted:
    """A slot (503 when busy), the authenticated agent's presence (401), the validated `wait` (400); what was
    taken before a refusal is given back."""
    request = Request(scope)
    slot = take_slot(request)
    try:
        presence = await enter_presence(request)
    except BaseException:
        slot.release()
        raise
    try:
        return _Admitted(slot, presence, query_value(request, "wait", _WAIT, POLL_WAIT_DEFAULT_S))
    except BaseException:
        presence.end()
        slot.release()
        raise
