"""Script parameters: the seed's checks, encryption of sensitive defaults, and masking.

Stored form (the `params` JSON of a version): the wire's ScriptParamDefine keys, with
`param_value` encrypted by the server's Cipher when `sensitive` is true.
"""

import re
from typing import Any

from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.scripts.schemas import PARAM_VALUE_RULE, SENSITIVE_MASK, ScriptParamDefine

MAX_VALUE = 1024
VALUE_PATTERN = re.compile(PARAM_VALUE_RULE)  # used with fullmatch: `$` would also match before a final newline
INVALID_VALUE = "The paramValue is invalid."


def check(params: list[ScriptParamDefine]) -> list[ScriptParamDefine]:
    """The params sorted by order, after the seed's rules (unique names, orders 1..n, values)."""
    names = [p.param_name for p in params]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise OpenCOCError("COC.00040701", f"script_params.param_name {duplicated[0]} is duplicated")
    ordered = sorted(params, key=lambda p: p.param_order)
    if [p.param_order for p in ordered] != list(range(1, len(ordered) + 1)):
        raise OpenCOCError("COC.00040701", "script_params.param_order must start from 1 and be consecutive")
    for p in ordered:
        if len(p.param_value) > MAX_VALUE:
            raise OpenCOCError(
                "COC.00040601", f"{INVALID_VALUE} {p.param_name}: length must be at most {MAX_VALUE} characters"
            )
        if not VALUE_PATTERN.fullmatch(p.param_value):
            raise OpenCOCError(
                "COC.00040601",
                f"{INVALID_VALUE} {p.param_name}: only letters, digits, spaces and _-/.*?:\"',=+@[]{{}} are allowed,"
                " without two dots in a row",
            )
    return ordered


def stored(
    params: list[ScriptParamDefine], cipher: Cipher, previous: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The params to store; a sensitive value sent back as the mask keeps the previous value."""
    before = {p["param_name"]: p for p in previous or []}
    out = []
    for p in params:
        value = p.param_value
        old = before.get(p.param_name)
        if value == SENSITIVE_MASK and old is not None and old["sensitive"]:
            value = cipher.decrypt(old["param_value"])
        out.append(
            {
                "param_name": p.param_name,
                "param_value": cipher.encrypt(value) if p.sensitive else value,
                "param_description": p.param_description,
                "param_order": p.param_order,
                "sensitive": p.sensitive,
            }
        )
    return out


def masked(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The wire form: sensitive values replaced by the 17-asterisk mask."""
    return [{**p, "param_value": SENSITIVE_MASK} if p["sensitive"] else dict(p) for p in params]


def plain_value(param: dict[str, Any], cipher: Cipher) -> str:
    """A stored param's default, decrypted when it is sensitive."""
    value: str = param["param_value"]
    return cipher.decrypt(value) if param["sensitive"] else value
