"""OpenAPI documentation of what routes handle by hand, and of the error bodies of each family.

FastAPI documents a body only when a handler declares it; the incident and alarm routes parse
their bodies themselves, for speed and for COC's error wording. `json_body(Model)` gives them
the same entry in /openapi.json, so clients, and the fuzzing tests that walk the document, see
every field. Likewise those routes send their own Response, which FastAPI neither validates nor
documents: `returns(Model)` documents its body. `ERRORS[family]`, the `responses` of each
domain's router, documents the error bodies once per family.
"""

from typing import Any

from pydantic import BaseModel

from opencoc.core.envelopes import CocError, Family, JobError

Responses = dict[int | str, dict[str, Any]]

_ERRORS: dict[int | str, str] = {
    400: "Invalid request: `error_msg` names the field and the rule; nothing was changed",
    401: "Missing or invalid credentials (in the COC envelope on every route)",
    403: "The caller may not do this",
    404: "No such object in the caller's tenant",
    409: "The request conflicts with the object's current state",
    413: "The request body is larger than the route takes",
    "4XX": "Any other client error",
    "5XX": "A server error, or the server is shutting down",
}


def _errors(family: Family) -> Responses:
    body = CocError if family == "coc" else JobError
    return {
        status: {"model": CocError if status == 401 else body, "description": text} for status, text in _ERRORS.items()
    }


# Declaring the 4XX range also keeps FastAPI from documenting a 422, which no route sends.
ERRORS: dict[Family, Responses] = {"coc": _errors("coc"), "job": _errors("job")}


def returns(model: Any, status: int = 200) -> Responses:
    """`responses` of a route that sends its own Response: `model` documents its body, which is not validated."""
    return {status: {"model": model}}


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
