"""The official huaweicloudsdkcoc, imported with HOME in a temporary directory (it writes ~/.huaweicloud)."""

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

# The SDK's own modules raise deprecation and import warnings on import and use.
SDK_WARNINGS = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ImportWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="session")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The SDK's classes, imported with HOME pointing at a temporary directory."""
    home = tmp_path_factory.mktemp("sdk-home")
    saved = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        from huaweicloudsdkcoc.v1 import (
            CocClient,
            CreateCocIncidentRequest,
            CreateExternalIncidentRequest,
            HandleCocIncidentRequest,
            HandleExternalIncidentRequest,
            ListCocTicketOperationHistoriesRequest,
            ListIncidentSimpleTicketsRequest,
            ListTicketParams,
            ObjectFilter,
            ShowCocIncidentDetailRequest,
        )
        from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
        from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
        from huaweicloudsdkcore.region.region import Region

        yield SimpleNamespace(
            CocClient=CocClient,
            CreateCocIncidentRequest=CreateCocIncidentRequest,
            CreateExternalIncidentRequest=CreateExternalIncidentRequest,
            HandleCocIncidentRequest=HandleCocIncidentRequest,
            HandleExternalIncidentRequest=HandleExternalIncidentRequest,
            ListIncidentSimpleTicketsRequest=ListIncidentSimpleTicketsRequest,
            ListCocTicketOperationHistoriesRequest=ListCocTicketOperationHistoriesRequest,
            ListTicketParams=ListTicketParams,
            ObjectFilter=ObjectFilter,
            ShowCocIncidentDetailRequest=ShowCocIncidentDetailRequest,
            BasicCredentials=BasicCredentials,
            GlobalCredentials=GlobalCredentials,
            ClientRequestException=ClientRequestException,
            Region=Region,
            home=Path(home),
        )
    finally:
        if saved is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = saved


def client(sdk: SimpleNamespace, credentials: Any, endpoint: str) -> Any:
    """A CocClient on our endpoint, no IAM look-up (with_endpoints, no region)."""
    return sdk.CocClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]).build()


def create_request(sdk: SimpleNamespace, **overrides: Any) -> Any:
    """A create request as the SDK models it (is_service_interrupt is a str there)."""
    fields: dict[str, Any] = {
        "region": ["cn-north-4"],
        "enterprise_project": ["0"],
        "current_cloud_service": ["65659ae2f42bf80e5f3f0635"],
        "incident_level": "level_20",
        "is_service_interrupt": "true",
        "incident_type": "inc_type_p_networking_issues",
        "incident_title": "VPN link flapping",
        "incident_description": "tunnel to dc2 drops every 5 minutes",
        "incident_source": "incident_source_manual",
        "incident_assignee": ["u-oncall"],
        "creator": "u-creator",
        "start_time": 1_700_000_000_000,
    }
    fields.update(overrides)
    body = sdk.CreateExternalIncidentRequest(**fields)
    return sdk.CreateCocIncidentRequest(body=body)


def handle_request(sdk: SimpleNamespace, num: str, operate_key: str, operator: str, parameter: Any = None) -> Any:
    body = sdk.HandleExternalIncidentRequest(
        incident_num=num, operator=operator, operate_key=operate_key, parameter=parameter
    )
    return sdk.HandleCocIncidentRequest(body=body)
