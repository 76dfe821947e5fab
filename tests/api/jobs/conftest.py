"""Fixtures of the jobs API tests: a tenant with hosts enrolled through the agent protocol."""

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.jobs.helpers import Fleet
from tests.support.signing import TenantKey


@pytest.fixture
def fleet(client: TestClient, db: Database, tenant: TenantKey) -> Fleet:
    return Fleet(client, db, tenant)
