"""OpenAPI documentation of the request bodies that routes read by hand (the hot paths).

FastAPI documents a body only when a handler declares it; the incident and alarm routes parse
their bodies themselves, for speed and for COC's error wording. `json_body(Model)` gives them
the same entry in /openapi.json, so clients, and the fuzzing tests that walk the document, see
every field.
"""

from typing import Any

from pydantic import BaseModel


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """`node` with each `$ref` into `defs` replaced by the definition (our models are not recursive)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` of a route that reads a JSON body of `model`'s shape by hand."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    content = {"application/json": {"schema": _inline(schema, defs)}}
    return {"requestBody": {"required": True, "content": content}}
