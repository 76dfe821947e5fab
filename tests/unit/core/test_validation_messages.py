"""Pydantic errors become one message naming each field and its rule."""

from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from opencoc.core.validation import describe, field_name


class Inner(BaseModel):
    cause: str = Field(max_length=3)


class Body(BaseModel):
    title: str = Field(max_length=5)
    level: Literal["a", "b"]
    count: int = Field(ge=1, le=10)
    parameter: Inner


def _message(data: dict) -> str:  # type: ignore[type-arg]
    with pytest.raises(ValidationError) as exc:
        Body.model_validate(data)
    return describe(exc.value.errors())


def test_missing_fields_are_joined_like_coc() -> None:
    assert _message({}) == (
        "title must not be null | level must not be null | count must not be null | parameter must not be null"
    )


def test_each_rule_is_named() -> None:
    msg = _message({"title": "toolong", "level": "c", "count": 0, "parameter": {"cause": "abcd"}})
    assert "title length must be at most 5 characters" in msg
    assert "level value[c] invalid" in msg
    assert "count must be >= 1" in msg
    assert "parameter.cause length must be at most 3 characters" in msg


def test_wrong_types_are_named() -> None:
    msg = _message({"title": 5, "level": "a", "count": "x", "parameter": []})
    assert "title must be a string" in msg
    assert "count must be an integer" in msg
    assert "parameter must be an object" in msg


def test_field_name_skips_location_and_formats_indexes() -> None:
    assert field_name(("body", "script_params", 2, "param_name")) == "script_params[2].param_name"
    assert field_name(("body",)) == "body"
