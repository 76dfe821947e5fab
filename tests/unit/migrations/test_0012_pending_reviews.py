"""Migration 0012 on SQLite and PostgreSQL: a script waiting for review gets its approval request."""

from typing import Any

import sqlalchemy as sa

from opencoc.approvals.models import ApprovalApprover, ApprovalRequest
from opencoc.auth.models import Tenant
from opencoc.scripts.models import Script
from tests.unit.migrations.test_0007_restore import _migrate, url  # noqa: F401 (the fixture)


def _script(uuid: str, status: str, reviewers: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "tenant_id": 1, "script_uuid": uuid, "name": uuid, "type": "SHELL", "description": "d", "status": status,
        "risk_level": "LOW", "version": "1.0", "protocol": None, "reviewers": reviewers, "tags": [],
        "usage_count": 0, "current_version_id": 7, "creator": "alice", "creator_id": "u-alice", "operator": "alice",
        "gmt_created": 1, "gmt_modified": 2, "enterprise_project_id": None,
    }  # fmt: skip


def test_upgrade_opens_a_request_for_each_script_pending_review(url: str) -> None:  # noqa: F811
    _migrate(url, "0008_revocation")
    engine = sa.create_engine(url)
    reviewers = [{"reviewer_name": "bob", "reviewer_id": "u-bob"}, {"reviewer_name": "carol", "reviewer_id": ""}]
    with engine.begin() as conn:
        conn.execute(sa.insert(Tenant.__table__), [{"id": 1, "name": "t", "domain_id": "d" * 32, "created_at": 1}])
        conn.execute(
            sa.insert(Script.__table__),
            [_script("SC1", "PENDING_APPROVE", reviewers), _script("SC2", "APPROVED", [])],
        )

    _migrate(url, "head")

    with engine.connect() as conn:
        [request] = conn.execute(sa.select(ApprovalRequest.__table__)).mappings().all()
        approvers = conn.execute(sa.select(ApprovalApprover.__table__)).mappings().all()
    engine.dispose()
    assert (request["subject_kind"], request["subject_id"], request["subject_version"]) == ("script", "SC1", "7")
    assert (request["status"], request["required"], request["requester_id"]) == ("PENDING", 1, "u-alice")
    assert len(request["approval_id"]) == 32
    assert [(a["request_id"], a["user_id"], a["user_name"]) for a in approvers] == [
        (request["id"], "u-bob", "bob"),
        (request["id"], "", "carol"),
    ]
