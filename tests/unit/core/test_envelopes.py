"""Response envelopes per endpoint family (core/envelopes.py, sdk-wire.md section 3.5)."""

import pytest

from opencoc.core import envelopes


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/v1/external/incident/create", "coc"),
        ("/v1/incident-tickets", "coc"),
        ("/v1/event/huawei/custom/key", "coc"),
        ("/opencoc/v1/alarm-mgmt/alarms", "coc"),
        ("/v1/job/scripts", "job"),
        ("/v1/job/script/orders/SCT1", "job"),
        ("/v1/script/coc:script/tags", "job"),
        ("/v1/resources", "job"),
        ("/v1/external/resources", "job"),
        ("/opencoc/v1/agent/tasks", "job"),
        ("/v3/auth/domains", "job"),
    ],
)
def test_each_path_belongs_to_its_family(path: str, family: str) -> None:
    assert envelopes.family_for_path(path) == family


def test_the_coc_family_wraps_data_and_errors_alike() -> None:
    assert envelopes.coc_ok({"incident_num": "IM1"}) == {
        "provider_code": "049",
        "error_code": "GOM.00000000",
        "error_msg": None,
        "data": {"incident_num": "IM1"},
    }
    assert envelopes.error_body("coc", "COC.00067003", "gone") == {
        "provider_code": "049",
        "error_code": "COC.00067003",
        "error_msg": "gone",
        "data": None,
    }


def test_the_job_family_is_data_on_success_and_code_and_message_on_error() -> None:
    assert envelopes.job_ok("SC1") == {"data": "SC1"}
    assert envelopes.error_body("job", "COC.00040604", "gone") == {"error_code": "COC.00040604", "error_msg": "gone"}


def test_a_schema_failure_has_each_familys_code() -> None:
    assert envelopes.default_validation_code("coc") == "COC.00000001"
    assert envelopes.default_validation_code("job") == "COC.00040701"
