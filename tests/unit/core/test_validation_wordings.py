"""The one translator's COC wording: what the incident API and the alarm webhooks answer."""

from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from opencoc.core import validation
from opencoc.core.errors import OpenCOCError


class Item(BaseModel):
    field_name: Annotated[str, Field(max_length=3)]


class Body(BaseModel):
    incident_title: Annotated[str, Field(max_length=5)]
    start_time: Annotated[int, Field(ge=0, le=9_999_999_999_999)] = 0
    items: list[Item] = []


def _message(data: object, wording: validation.Wording = validation.COC, **kwargs: object) -> str:
    with pytest.raises(OpenCOCError) as exc:
        validation.parse(Body, data, code="COC.00000001", wording=wording, **kwargs)  # type: ignore[arg-type]
    assert exc.value.error_code == "COC.00000001"
    return exc.value.error_msg


def test_coc_names_rules_in_camel_case_and_invalid_values_as_sent() -> None:
    assert _message({}) == "incidentTitle must not be null"
    assert _message({"incident_title": "toolong"}) == "incidentTitle size must be between 0 and 5"
    assert _message({"incident_title": 5}) == "The field[incident_title] value[5] invalid"
    assert _message({"incident_title": "x", "start_time": -1}) == "startTime must be between 0 and 9999999999999"


def test_coc_names_a_list_item_by_its_list_and_the_webhooks_by_index() -> None:
    body = {"incident_title": "x", "items": [{"field_name": "ok"}, {"field_name": "long"}]}
    assert _message(body) == "items.fieldName size must be between 0 and 3"
    assert _message(body, validation.COC_INDEXED) == "items[1].fieldName size must be between 0 and 3"


def test_a_body_that_is_not_an_object_is_named_as_the_request_body_or_the_prefix() -> None:
    assert _message([1]) == "request body must be a JSON object"
    assert _message([1], prefix="parameter") == "parameter must be a JSON object"
    assert _message({"incident_title": 5}, prefix="parameter") == "The field[parameter.incident_title] value[5] invalid"


def test_a_limit_names_that_many_problems_and_counts_the_rest() -> None:
    body = {"incident_title": "x", "items": [{"field_name": 1}] * 5}
    message = _message(body, validation.COC_INDEXED, limit=2)
    assert message == (
        "The field[items[0].field_name] value[1] invalid | The field[items[1].field_name] value[1] invalid | ... 3 more"
    )


def test_opencoc_wording_is_the_default() -> None:
    with pytest.raises(OpenCOCError) as exc:
        validation.parse(Body, {"incident_title": "toolong"}, code="COC.00000001")
    assert exc.value.error_msg == "incident_title length must be at most 5 characters"
