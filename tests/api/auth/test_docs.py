"""The OpenAPI schema and the doc pages: for signed-in callers only, unless OPENCOC_DOCS=1."""

from contextlib import closing

from fastapi.testclient import TestClient

from opencoc.app import create_app
from opencoc.config import Settings
from tests.support.signing import TenantKey


def test_schema_is_refused_to_anonymous_callers_and_doc_pages_are_absent(client: TestClient) -> None:
    anonymous = client.get("/openapi.json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error_code"] == "common.01010001"
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_signed_caller_gets_the_schema(client: TestClient, tenant: TenantKey) -> None:
    resp = client.get("/openapi.json", auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    assert "/v1/external/incident/create" in resp.json()["paths"]
    assert "/openapi.json" not in resp.json()["paths"]


def test_docs_setting_makes_schema_and_pages_public(settings: Settings) -> None:
    with closing(TestClient(create_app(settings.model_copy(update={"docs": True})))) as public:
        schema = public.get("/openapi.json")
        assert schema.status_code == 200 and "/v1/external/incident/create" in schema.json()["paths"]
        page = public.get("/docs")
        assert page.status_code == 200 and "/openapi.json" in page.text
        redoc = public.get("/redoc")
        assert redoc.status_code == 200 and "/openapi.json" in redoc.text
