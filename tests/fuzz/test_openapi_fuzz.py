"""Schemathesis against our own /openapi.json: no generated request, valid or not, gets a 5xx,
and every response has the status and the body shape the document declares for it.

Every operation of the document is fuzzed (new routes join automatically) with signed requests,
on SQLite, with a fixed seed, so a failure reproduces. Every route declares its responses (its
model, or `responses=` on the hot routes, and each family's error body), so each one is checked.
"""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fuzz.conftest import Accounts, FuzzTarget
from tests.fuzz.openapi import BASE_URL, document

MAX_EXAMPLES = 60
SEED = 20260210
POLL = "/opencoc/v1/agent/tasks"
WAITING = (POLL, POLL + "/{task_id}/result")  # a result with `wait` goes on as a long-poll

schema = schemathesis.openapi.from_dict(document())
KNOWN: dict[str, list[str]] = {}  # path parameter -> values naming the tenant's objects (see _known)


@pytest.fixture(autouse=True)
def _known(fuzz_accounts: Accounts) -> None:
    """Filled by a fixture, which runs before hypothesis draws the first case."""
    KNOWN.update(fuzz_accounts.known)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    """Each path parameter is the generated value or names an object the tenant has, so cases get past 404.

    Not for DELETE: the objects must live on for the operations fuzzed after it.
    """
    if not path_parameters or context.operation.method.upper() == "DELETE":
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {name: st.sampled_from([value, *KNOWN.get(name, [])]) for name, value in path_parameters.items()}
    )


def _short_poll(case: schemathesis.Case) -> None:
    """An agent's long-poll waits `wait` seconds (25 by default) for work that never comes here: answer at once."""
    if case.path not in WAITING:
        return
    wait = (case.query or {}).get("wait")
    try:
        waits = (wait is None and case.path == POLL) or (wait is not None and float(wait) > 0)
    except (TypeError, ValueError):
        waits = False  # not a number: refused at once, and worth sending as it is
    if waits:
        case.query = {**(case.query or {}), "wait": 0}


@schema.parametrize()
@seed(SEED)
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_no_server_error_and_documented_responses(
    case: schemathesis.Case, fuzz_target: FuzzTarget
) -> None:
    _short_poll(case)
    response = case.call(base_url=BASE_URL, session=fuzz_target.client, auth=fuzz_target.auth)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}\n"
        f"{case.as_curl_command(base_url=BASE_URL)}"
    )
    case.validate_response(response, checks=[response_schema_conformance])
