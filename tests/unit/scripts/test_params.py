"""Script parameters (scripts/params.py): the seed's checks, sensitive defaults encrypted, masking."""

from typing import Any

import pytest

from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.scripts import params
from opencoc.scripts.schemas import SENSITIVE_MASK, ScriptParamDefine

MASK = "*" * 17
CIPHER = Cipher("unit-test-master-key")


def define(name: str = "a", value: str = "v", order: int = 1, sensitive: bool = False) -> ScriptParamDefine:
    return ScriptParamDefine(
        param_name=name, param_value=value, param_description="d", param_order=order, sensitive=sensitive
    )


def _refusal(given: list[ScriptParamDefine]) -> tuple[str, str]:
    with pytest.raises(OpenCOCError) as refused:
        params.check(given)
    return refused.value.error_code, refused.value.error_msg


def test_check_returns_the_params_sorted_by_order() -> None:
    checked = params.check([define("b", order=2), define("c", order=3), define("a", order=1)])
    assert [p.param_name for p in checked] == ["a", "b", "c"]
    assert params.check([]) == []


def test_names_must_be_unique() -> None:
    assert _refusal([define("a", order=1), define("a", order=2)]) == (
        "COC.00040701",
        "script_params.param_name a is duplicated",
    )


@pytest.mark.parametrize("orders", [[2], [1, 3], [1, 1], [2, 3]])
def test_orders_must_run_from_1_without_gaps(orders: list[int]) -> None:
    given = [define(f"p{i}", order=order) for i, order in enumerate(orders)]
    assert _refusal(given) == ("COC.00040701", "script_params.param_order must start from 1 and be consecutive")


@pytest.mark.parametrize(
    "value", ["", "v" * 1024, "a-Z_0/9.*? :\"',=+@[]{}", "-rf /", "x.y.z", "{a,b}", "it's 'quoted'"]
)
def test_values_of_the_seeds_characters_are_accepted(value: str) -> None:
    assert params.check([define(value=value)])[0].param_value == value


@pytest.mark.parametrize(
    "value", ["a;b", "$HOME", "${x}", "a|b", "a&b", "`id`", "a\nb", "a\tb", "../etc", "a..b", "é", "a\x00"]
)
def test_values_that_could_become_shell_are_refused_naming_the_param(value: str) -> None:
    code, message = _refusal([define("target", value=value)])
    assert code == "COC.00040601"
    assert message.startswith("The paramValue is invalid. target: only letters, digits, spaces and ")


def test_a_value_over_1024_characters_is_refused_with_the_length() -> None:
    assert _refusal([define("big", value="v" * 1025)]) == (
        "COC.00040601",
        "The paramValue is invalid. big: length must be at most 1024 characters",
    )


def test_a_sensitive_value_is_stored_encrypted_and_shown_masked() -> None:
    stored = params.stored([define("user", "root", 1), define("pw", "s3cret", 2, sensitive=True)], CIPHER)
    assert stored[0] == {
        "param_name": "user",
        "param_value": "root",
        "param_description": "d",
        "param_order": 1,
        "sensitive": False,
    }
    assert stored[1]["param_value"] != "s3cret" and CIPHER.decrypt(stored[1]["param_value"]) == "s3cret"
    assert [p["param_value"] for p in params.masked(stored)] == ["root", MASK]
    assert [params.plain_value(p, CIPHER) for p in stored] == ["root", "s3cret"]
    assert stored[1]["param_value"] != MASK, "masking a copy leaves the stored value alone"


def test_the_mask_sent_back_keeps_the_previous_secret() -> None:
    previous = params.stored([define("pw", "old-secret", 1, sensitive=True)], CIPHER)
    again = params.stored([define("pw", MASK, 1, sensitive=True)], CIPHER, previous)
    assert CIPHER.decrypt(again[0]["param_value"]) == "old-secret"
    changed = params.stored([define("pw", "new-secret", 1, sensitive=True)], CIPHER, previous)
    assert CIPHER.decrypt(changed[0]["param_value"]) == "new-secret"


def test_the_mask_is_a_value_like_any_other_where_nothing_secret_came_before() -> None:
    plain_before: list[dict[str, Any]] = params.stored([define("pw", "visible", 1)], CIPHER)
    now_secret = params.stored([define("pw", MASK, 1, sensitive=True)], CIPHER, plain_before)
    assert CIPHER.decrypt(now_secret[0]["param_value"]) == MASK
    renamed = params.stored([define("other", MASK, 1, sensitive=True)], CIPHER, now_secret)
    assert CIPHER.decrypt(renamed[0]["param_value"]) == MASK


def test_the_mask_is_what_coc_and_terraform_show() -> None:
    assert SENSITIVE_MASK == MASK
