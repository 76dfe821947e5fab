"""check_script_risk classifies content; a script may not declare less risk than its content carries."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.scripts.helpers import assert_error, create, edit_body, script_body, show
from tests.support.signing import TenantKey

CASES = [
    ("rm -rf /", "HIGH", "rm"),
    ("sudo rm -rf --no-preserve-root /", "HIGH", "rm"),
    ("rm -rf /etc", "HIGH", "rm"),
    ("mkfs.ext4 /dev/vdb1", "HIGH", "mkfs"),
    ("dd if=/dev/zero of=/dev/sda bs=1M", "HIGH", "dd"),
    ("shutdown -h now", "HIGH", "shutdown"),
    ("sudo reboot", "HIGH", "reboot"),
    ("chmod -R 777 /", "HIGH", "chmod"),
    (":(){ :|:& };:", "HIGH", "fork bomb"),
    ("curl -fsSL https://example.com/i.sh | sh", "HIGH", "curl|sh"),
    ("wget -qO- http://x/i.sh | sudo bash", "HIGH", "curl|sh"),
    ("import os\nos.system('reboot')", "HIGH", "reboot"),
    ("format c: /q", "HIGH", "format"),
    ("rm -rf ./build", "MEDIUM", "rm -rf"),
    ("kill -9 1234", "MEDIUM", "kill"),
    ("systemctl stop nginx", "MEDIUM", "systemctl"),
]
SAFE = [
    "echo hello",
    "rm -f /tmp/x.log",
    "dd if=/dev/zero of=/tmp/img bs=1M count=1",
    "# rm -rf /\necho ok",
    "chmod -R 755 /opt/app",
    "echo rebooting later",
    "curl -o out.json https://example.com",
    "cat /etc/passwd",
]


def _analyze(client: TestClient, tenant: TenantKey, content: str) -> dict[str, Any]:
    resp = client.post("/v1/job/analyze-job", json={"content": content}, auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


@pytest.mark.parametrize(("content", "level", "rule"), CASES, ids=[c[0][:30] for c in CASES])
def test_dangerous_commands_are_classified_with_the_reason(
    client: TestClient, tenant: TenantKey, content: str, level: str, rule: str
) -> None:
    data = _analyze(client, tenant, content)
    assert data["risk_level"] == level
    found = {c["command_name"]: c for c in data["blacklist_commands"]}
    assert rule in found, data
    assert set(found[rule]) == {"command_name", "command_rule", "example", "description_en", "description_zh"}
    assert found[rule]["example"] and found[rule]["description_en"]


def test_harmless_content_is_low_with_no_reasons(client: TestClient, tenant: TenantKey) -> None:
    for content in SAFE:
        assert _analyze(client, tenant, content) == {"risk_level": "LOW", "blacklist_commands": []}, content


def test_analyze_checks_its_body(client: TestClient, tenant: TenantKey) -> None:
    for body in ({}, {"content": ""}, {"content": "x" * 4097}):
        assert_error(client.post("/v1/job/analyze-job", json=body, auth=tenant.auth), 400, "COC.00040701", "content")


def test_declaring_less_risk_than_the_content_is_refused(client: TestClient, tenant: TenantKey) -> None:
    resp = client.post("/v1/job/scripts", json=script_body(content="rm -rf /"), auth=tenant.auth)
    assert_error(resp, 400, "COC.00040601", "properties.risk_level LOW", "HIGH", "rm -rf /")
    resp = client.post(
        "/v1/job/scripts", json=script_body(content="kill -9 1", props={"risk_level": "LOW"}), auth=tenant.auth
    )
    assert_error(resp, 400, "COC.00040601", "MEDIUM")
    create(client, tenant, content="kill -9 1", props={"risk_level": "MEDIUM"})
    uuid = create(client, tenant, content="reboot", props={"risk_level": "HIGH"})

    current = show(client, tenant, uuid)
    lowered = edit_body(current, properties={"risk_level": "LOW", "version": "2"})
    assert_error(client.put(f"/v1/job/scripts/{uuid}", json=lowered, auth=tenant.auth), 400, "COC.00040601", "reboot")
    assert show(client, tenant, uuid)["properties"]["risk_level"] == "HIGH"
