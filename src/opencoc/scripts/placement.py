"""How a script's parameters reach it, and the checks that keep a value from becoming code.

- SHELL: the agent exports each parameter to the script's environment under its name and does
  not alter the text; a name the shell or the loader reads (`PATH`, `IFS`, `LD_PRELOAD`...) is
  refused (agent/env_names.py).
- PYTHON: the server places each `${name}` token-aware when it hands the task to the agent
  (python_params.py); a placeholder with no safe place is refused.
- BAT: nothing is placed; agents on Linux refuse BAT tasks.

`check` runs on create and modify (and on execute, for versions stored before these rules).
"""

from opencoc.agent import env_names
from opencoc.core.errors import OpenCOCError
from opencoc.scripts import python_params


def check(script_type: str, content: str, names: list[str], *, error_code: str) -> None:
    """Raise a 400 naming the field when a parameter cannot reach this script safely."""
    if script_type == "SHELL":
        for name in names:
            why = env_names.refusal(name)
            if why is not None:
                raise OpenCOCError(error_code, f"script_params.param_name {name} {why}")
    elif script_type == "PYTHON":
        try:
            python_params.check(content, names)
        except python_params.PlacementError as exc:
            raise OpenCOCError(error_code, f"content {exc}") from None


def runnable(script_type: str, content: str, values: dict[str, str]) -> str:
    """The text an agent runs: a PYTHON script with its placeholders placed (python_params.PlacementError
    if one has no safe place); other types as they are (a SHELL script gets its values as environment)."""
    if script_type == "PYTHON":
        return python_params.substitute(content, values)
    return content
