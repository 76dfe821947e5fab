"""The official SDK's eight script-execution operations against a real server with a real agent."""

import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from harness.server import LiveServer
from tests.e2e.jobs.support import Host, enroll_token, start_agent, wait_for
from tests.support.signing import TenantKey

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ImportWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.timeout(120),
]


@pytest.fixture(scope="module")
def coc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """`huaweicloudsdkcoc.v1`, imported with HOME in a temporary directory (the core writes ~/.huaweicloud)."""
    saved = os.environ.get("HOME")
    os.environ["HOME"] = str(tmp_path_factory.mktemp("sdk-home"))
    try:
        import huaweicloudsdkcoc.v1 as module

        yield module
    finally:
        if saved is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = saved


@pytest.fixture
def host(live_server: LiveServer, live_tenant: TenantKey, tmp_path: Path) -> Iterator[Host]:
    agent = start_agent(live_server, enroll_token(live_server, live_tenant.name), tmp_path / "agent")
    yield agent
    agent.stop()


def _client(coc: ModuleType, server: LiveServer, tenant: TenantKey) -> Any:
    from huaweicloudsdkcore.auth.credentials import GlobalCredentials

    credentials = GlobalCredentials(tenant.access_key, tenant.secret_key, tenant.domain_id)
    return coc.CocClient.new_builder().with_credentials(credentials).with_endpoints([server.url]).build()


def _script(coc: ModuleType, client: Any, content: str) -> str:
    body = coc.AddScriptModel(
        name=f"sdk_jobs_{os.getpid()}_{abs(hash(content)) % 10**6}",
        description="compat",
        type="SHELL",
        content=content,
        properties=coc.ScriptPropertiesModel(risk_level="LOW", version="1.0.0"),
        script_params=[
            coc.ScriptParamDefine(
                param_name="who", param_value="world", param_description="d", param_order=1, sensitive=False
            )
        ],
    )
    return str(client.create_script(coc.CreateScriptRequest(body=body)).data)


def test_the_sdk_runs_a_script_on_an_enrolled_host_and_reads_the_order(
    coc: ModuleType, live_server: LiveServer, live_tenant: TenantKey, host: Host
) -> None:
    client = _client(coc, live_server, live_tenant)

    resources = client.list_resources(coc.ListResourcesRequest(provider="ecs", type="cloudservers", limit=10)).data
    (item,) = [r for r in resources if r.resource_id == host.resource_id]
    assert item.agent_id == host.agent_sn and item.agent_state == "ONLINE"

    script_uuid = _script(coc, client, "echo hello ${who}")
    target = coc.ExecuteResourceInstance(
        resource_id=item.resource_id, region_id=item.region_id or "cn-north-4", agent_sn=item.agent_id, project_id="p1"
    )
    body = coc.ScriptExecuteModel(
        execute_param=coc.ScriptExecuteParam(
            resourceful=True,
            timeout=30,
            success_rate=100.0,
            execute_user="root",
            script_params=[coc.ScriptExecuteInputParam(param_name="who", param_value="sdk", param_order=1)],
        ),
        execute_batches=[
            coc.ExecuteInstancesBatchInfo(batch_index=1, target_instances=[target], rotation_strategy="CONTINUE")
        ],
    )
    uuid = client.execute_script(coc.ExecuteScriptRequest(script_uuid=script_uuid, body=body)).data
    assert uuid.startswith("SCT") and len(uuid) <= 26

    def info() -> Any:
        return client.get_script_job_info(coc.GetScriptJobInfoRequest(execute_uuid=uuid)).data

    done = wait_for(lambda: (i := info()).status == "FINISHED" and i, "the order to finish")
    assert done.properties.script_uuid == script_uuid and done.properties.execute_param.execute_user == "root"
    assert done.properties.execute_param.script_params[0].param_value == "sdk"
    assert done.gmt_finished >= done.gmt_created and done.execute_costs >= 0

    jobs = client.list_script_jobs(coc.ListScriptJobsRequest(limit=10, status="FINISHED")).data
    assert uuid in [j.execute_uuid for j in jobs.data] and jobs.total >= 1

    batches = client.list_script_job_batches(coc.ListScriptJobBatchesRequest(execute_uuid=uuid)).data
    assert [(b.batch_index, b.total_instances, b.rotation_strategy) for b in batches] == [(1, 1, "CONTINUE")]

    detail = client.get_script_job_batch(coc.GetScriptJobBatchRequest(execute_uuid=uuid, batch_index=1, limit=10)).data
    (inst,) = detail.execute_instances
    assert inst.status == "FINISHED" and inst.message == "hello sdk\n"
    assert inst.target_instance.resource_id == host.resource_id and inst.target_instance.properties.host_name

    stats = client.get_script_job_statistics(coc.GetScriptJobStatisticsRequest(execute_uuid=uuid)).data
    assert stats.total_instance == 1
    assert {s.instance_status: s.instance_count for s in stats.execute_statistics}["FINISHED"] == 1


def test_the_sdk_operates_an_order_and_sees_coc_errors(
    coc: ModuleType, live_server: LiveServer, live_tenant: TenantKey, host: Host
) -> None:
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

    client = _client(coc, live_server, live_tenant)
    script_uuid = _script(coc, client, "sleep 60")
    target = coc.ExecuteResourceInstance(resource_id=host.resource_id, region_id="cn-north-4", agent_sn=host.agent_sn)
    body = coc.ScriptExecuteModel(
        execute_param=coc.ScriptExecuteParam(timeout=60, success_rate=100.0, execute_user="root"),
        execute_batches=[
            coc.ExecuteInstancesBatchInfo(batch_index=1, target_instances=[target], rotation_strategy="PAUSE")
        ],
    )
    uuid = client.execute_script(coc.ExecuteScriptRequest(script_uuid=script_uuid, body=body)).data
    operation = coc.JobScriptOrderOperationBody(operation_type="CANCEL_ORDER")
    assert client.operate_script_job(coc.OperateScriptJobRequest(execute_uuid=uuid, body=operation)).data == uuid
    assert client.get_script_job_info(coc.GetScriptJobInfoRequest(execute_uuid=uuid)).data.status == "CANCELED"

    with pytest.raises(ClientRequestException) as again:
        client.operate_script_job(coc.OperateScriptJobRequest(execute_uuid=uuid, body=operation))
    assert again.value.status_code == 400 and again.value.error_code == "COC.00040701"
    assert "CANCEL_ORDER" in again.value.error_msg

    with pytest.raises(ClientRequestException) as missing:
        client.get_script_job_info(coc.GetScriptJobInfoRequest(execute_uuid="SCT20990101000000abcdef123"))
    assert missing.value.status_code == 400 and missing.value.error_code == "COC.00040709"
