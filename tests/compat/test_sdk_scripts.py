"""The official SDK's seven script operations against a real `opencoc serve`."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.server import LiveServer
from tests.support.signing import TenantKey

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ImportWarning")
MASK = "*" * 17


@pytest.fixture
def sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The SDK modules, imported with HOME in a temporary directory (the SDK writes ~/.huaweicloud)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    from huaweicloudsdkcoc.v1 import CocClient
    from huaweicloudsdkcoc.v1 import model as m
    from huaweicloudsdkcore.auth.credentials import GlobalCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

    def client(server: LiveServer, key: TenantKey) -> Any:
        credentials = GlobalCredentials(key.access_key, key.secret_key, key.domain_id)
        return CocClient.new_builder().with_credentials(credentials).with_endpoints([server.url]).build()

    yield type("Sdk", (), {"client": staticmethod(client), "m": m, "Error": ClientRequestException})


def _add_user(server: LiveServer, tenant: TenantKey, name: str) -> TenantKey:
    server.cli("admin", "create-user", "--tenant", tenant.name, "--user", name)
    key = json.loads(server.cli("admin", "create-key", "--tenant", tenant.name, "--user", name, "--json").stdout)
    return TenantKey(tenant.name, key["domain_id"], key["user_id"], key["access_key"], key["secret_key"])


def test_sdk_script_lifecycle_with_review(sdk: Any, live_server: LiveServer, live_tenant: TenantKey) -> None:
    m = sdk.m
    owner = sdk.client(live_server, live_tenant)
    bob_key = _add_user(live_server, live_tenant, "bob")
    bob = sdk.client(live_server, bob_key)

    risk = owner.check_script_risk(m.CheckScriptRiskRequest(body=m.JobScriptAnalyzeRequest(content="rm -rf /")))
    assert risk.data.risk_level == "HIGH"
    assert risk.data.blacklist_commands[0].command_name == "rm"
    assert risk.data.blacklist_commands[0].example == "rm -rf /"

    body = m.AddScriptModel(
        name="sdk_deploy",
        description="deploys the app",
        type="SHELL",
        content="echo ${target}",
        properties=m.ScriptPropertiesModel(
            risk_level="LOW",
            version="1.0.0",
            reviewers=[m.ReviewerInfo(reviewer_name="bob", reviewer_id=bob_key.user_id)],
            protocol="NOT_TO_NOTIFY",
        ),
        script_params=[
            m.ScriptParamDefine(
                param_name="target", param_value="web", param_description="host", param_order=1, sensitive=False
            ),
            m.ScriptParamDefine(
                param_name="token", param_value="s3cret", param_description="", param_order=2, sensitive=True
            ),
        ],
    )
    uuid = owner.create_script(m.CreateScriptRequest(body=body)).data
    assert isinstance(uuid, str) and len(uuid) == 25

    shown = owner.get_script(m.GetScriptRequest(script_uuid=uuid)).data
    assert shown.name == "sdk_deploy" and shown.status == "PENDING_APPROVE" and shown.content == "echo ${target}"
    assert shown.properties.reviewers[0].reviewer_id == bob_key.user_id
    assert [p.param_value for p in shown.script_params] == ["web", MASK]
    assert shown.script_params[1].sensitive is True and isinstance(shown.gmt_created, int)

    page = owner.list_scripts(m.ListScriptsRequest(limit=10, name_like="sdk_")).data
    assert page.total == 1 and page.data[0].script_uuid == uuid and page.data[0].id >= 1
    assert page.data[0].properties.risk_level == "LOW"

    carol = sdk.client(live_server, _add_user(live_server, live_tenant, "carol"))  # an operator, not a reviewer
    with pytest.raises(sdk.Error) as refused:
        carol.accept_script(
            m.AcceptScriptRequest(script_uuid=uuid, body=m.ApprovalJobScriptModel(status="APPROVED", comments="me"))
        )
    assert refused.value.status_code == 403 and refused.value.error_code == "COC.00040606"
    accepted = bob.accept_script(
        m.AcceptScriptRequest(script_uuid=uuid, body=m.ApprovalJobScriptModel(status="APPROVED", comments="ok"))
    )
    assert accepted.data is True
    assert owner.get_script(m.GetScriptRequest(script_uuid=uuid)).data.status == "APPROVED"

    edit = m.EditScriptModel(
        description="deploys the app, v2",
        content="echo v2 ${target}",
        properties=m.ScriptPropertiesModel(risk_level="MEDIUM", version="2.0.0", reviewers=[]),
        script_params=shown.script_params,  # the masked secret sent back keeps its value
    )
    updated = owner.update_script(m.UpdateScriptRequest(script_uuid=uuid, body=edit))
    assert updated.data == uuid
    after = owner.get_script(m.GetScriptRequest(script_uuid=uuid)).data
    assert after.content == "echo v2 ${target}" and after.properties.version == "2.0.0" and after.status == "APPROVED"
    assert after.script_params[1].param_value == MASK

    assert owner.delete_script(m.DeleteScriptRequest(script_uuid=uuid)).data == uuid
    with pytest.raises(sdk.Error) as gone:
        owner.get_script(m.GetScriptRequest(script_uuid=uuid))
    assert gone.value.status_code == 400 and gone.value.error_code == "COC.00040604"


def test_sdk_sees_constraint_errors_as_client_errors(sdk: Any, live_server: LiveServer, live_tenant: TenantKey) -> None:
    m = sdk.m
    owner = sdk.client(live_server, live_tenant)
    props = m.ScriptPropertiesModel(risk_level="LOW", version="1")
    bad_value = m.ScriptParamDefine(
        param_name="a", param_value="a;b", param_description="", param_order=1, sensitive=False
    )
    body = m.AddScriptModel(
        name="sdk_bad", description="d", type="SHELL", content="echo", properties=props, script_params=[bad_value]
    )
    with pytest.raises(sdk.Error) as invalid:
        owner.create_script(m.CreateScriptRequest(body=body))
    assert invalid.value.error_code == "COC.00040601" and "The paramValue is invalid." in invalid.value.error_msg
    ok = m.AddScriptModel(name="sdk_dup", description="d", type="SHELL", content="echo", properties=props)
    owner.create_script(m.CreateScriptRequest(body=ok))
    with pytest.raises(sdk.Error) as duplicate:
        owner.create_script(m.CreateScriptRequest(body=ok))
    assert duplicate.value.error_msg == "Exist script with same name: sdk_dup."
    with pytest.raises(sdk.Error) as malformed:
        owner.delete_script(m.DeleteScriptRequest(script_uuid="not-a-uuid"))
    assert malformed.value.error_code == "COC.00040601"
