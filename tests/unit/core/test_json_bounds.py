"""The free-form JSON bounds: checks and clips at any depth without recursion, and names the rule."""

import orjson
import pytest

from opencoc.alarms.schemas import nul_path
from opencoc.core.fastsql import json_text
from opencoc.core.json_bounds import OUT_OF_RANGE, TRUNCATED, Bounds, clip, preview, violation
from opencoc.core.responses import FastJSONResponse
from opencoc.core.validation import describe


def nested(depth: int, leaf: object = "x") -> object:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def listed(depth: int) -> object:
    value: object = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [990, 100_000])
def test_depth_beyond_python_recursion_is_named_not_raised(depth: int) -> None:
    assert violation(nested(depth)) == "must be nested at most 16 levels deep"
    assert violation(listed(depth)) == "must be nested at most 16 levels deep"


def test_the_depth_bound_counts_objects_and_arrays() -> None:
    assert violation(nested(16)) is None
    assert violation(nested(17)) is not None
    assert violation(listed(16)) is None
    assert violation(listed(17)) is not None
    assert violation(nested(3), Bounds(depth=2)) is not None


def test_size_is_counted_as_compact_json_characters() -> None:
    assert violation({"k": "é" * 100}, Bounds(chars=108)) is None  # {"k":"..."} = 8 + 100 characters
    assert violation({"k": "é" * 101}, Bounds(chars=108)) == "size must be at most 108 characters as JSON"


def test_integers_beyond_64_bits_are_refused() -> None:
    assert violation({"n": 2**64 - 1}) is None and violation({"n": -(2**63)}) is None
    assert "integers between" in str(violation({"n": [2**64]}))
    assert "integers between" in str(violation({"n": -(2**63) - 1}))


@pytest.mark.parametrize("depth", [300, 100_000])
def test_clip_keeps_the_top_and_marks_what_is_too_deep(depth: int) -> None:
    clipped = clip({"keep": 1, "deep": nested(depth)}, 4)
    assert clipped == {"keep": 1, "deep": {"a": {"a": {"a": TRUNCATED}}}}
    orjson.dumps(clipped)


def test_clip_keeps_order_and_makes_what_orjson_cannot_write_writable() -> None:
    assert list(clip({"b": 1, "a": 2, "c": [3, 4]}, 5)) == ["b", "a", "c"]
    assert clip({1: [2**70, True]}, 5) == {"1": [OUT_OF_RANGE, True]}


@pytest.mark.parametrize("depth", [990, 100_000])
def test_preview_quotes_a_deep_value_briefly(depth: int) -> None:
    text = preview(listed(depth))
    assert text.startswith("[[[[[[[[") and TRUNCATED in text and len(text) <= 103


def test_preview_keeps_the_messages_format() -> None:
    assert preview({"a": 1}) == '{"a": 1}' and preview("t" * 101) == "t" * 100 + "..."


@pytest.mark.parametrize("depth", [990, 100_000])
def test_nul_path_walks_any_depth(depth: int) -> None:
    value = nested(depth, "bad\x00")
    assert nul_path(value) == ".".join(["a"] * depth)
    assert nul_path(nested(depth)) is None


def test_nul_path_names_the_first_problem_in_document_order() -> None:
    assert nul_path({"a": "x\x00", "b\x00": 1}) == "a"
    assert nul_path({"a": ["ok", {"c\x00": 1}]}) == "a[1]"


@pytest.mark.parametrize("depth", [990, 100_000])
def test_json_text_stops_at_its_depth_limit_with_a_type_error_not_a_recursion_error(depth: int) -> None:
    assert json_text(nested(200)).count("{") == 200
    with pytest.raises(TypeError):
        json_text(nested(depth))


def test_a_response_with_a_value_too_deep_for_orjson_renders_clipped() -> None:
    body = orjson.loads(FastJSONResponse({"data": {"additional": nested(1000), "n": 2**70}}).body)
    assert body["data"]["n"] == OUT_OF_RANGE
    assert TRUNCATED in orjson.dumps(body).decode()


@pytest.mark.parametrize("depth", [990, 100_000])
def test_validation_messages_quote_a_deep_input_briefly(depth: int) -> None:
    message = describe(
        [{"type": "literal_error", "loc": ("body", "type"), "input": listed(depth), "ctx": {"expected": "'A'"}}]
    )
    assert message.startswith("type value[[[[[") and len(message) < 200
