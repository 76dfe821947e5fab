"""The role rule table (auth/roles.py): who may do what, and the words of a refusal."""

from typing import get_args

import pytest

from opencoc.auth import roles
from opencoc.auth.caller import Caller
from opencoc.core.errors import OpenCOCError

ADMIN_ONLY = {"alarms.integrations", "notifications.channels", "oncall.schedules", "warrooms.settings"}


def _caller(role: roles.Role) -> Caller:
    return Caller(1, "d" * 32, "acme", "u" * 32, "alice", role=role)


def test_every_action_has_exactly_one_rule() -> None:
    assert set(roles.RULES) == set(get_args(roles.Action))


@pytest.mark.parametrize("action", sorted(roles.RULES))
def test_admin_may_do_everything_and_a_viewer_nothing(action: roles.Action) -> None:
    assert roles.allows(roles.ADMIN, action)
    assert not roles.allows(roles.VIEWER, action)
    assert roles.allows(roles.OPERATOR, action) is (action not in ADMIN_ONLY)


def test_an_unknown_role_may_do_nothing() -> None:
    assert not any(roles.allows("owner", action) for action in roles.RULES)


def test_a_refusal_is_a_403_naming_the_role_the_action_and_who_may() -> None:
    with pytest.raises(OpenCOCError) as viewer:
        roles.require(_caller(roles.VIEWER), "incidents.handle")
    assert (viewer.value.status, viewer.value.error_code, viewer.value.error_msg) == (
        403,
        roles.FORBIDDEN_CODE,
        "role viewer may not handle incidents: operator or admin only",
    )
    with pytest.raises(OpenCOCError) as operator:
        roles.require(_caller(roles.OPERATOR), "alarms.integrations")
    assert operator.value.error_msg == "role operator may not manage alarm integrations: admin only"
    roles.require(_caller(roles.ADMIN), "alarms.integrations")


def test_check_role_accepts_the_three_roles_only() -> None:
    assert [roles.check_role(r) for r in ("admin", "operator", "viewer")] == ["admin", "operator", "viewer"]
    with pytest.raises(OpenCOCError) as invalid:
        roles.check_role("Admin")
    assert (invalid.value.status, invalid.value.error_msg) == (
        400,
        "role[Admin] invalid: expected one of admin, operator, viewer",
    )


def test_is_admin() -> None:
    assert roles.is_admin(_caller(roles.ADMIN)) and not roles.is_admin(_caller(roles.OPERATOR))
