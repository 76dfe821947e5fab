"""Entry of the agent process. httpx's package init imports its optional command line (which
pulls in rich, click and pygments, about 6 MB) whenever those are installed, as they are
beside the `opencoc` CLI; the agent never uses it, so a stand-in module is registered first."""

import sys
import types


def _httpx_cli_unavailable() -> None:
    raise SystemExit("the httpx command line is not available in the OpenCOC agent process")


if "httpx" not in sys.modules:
    _stub = types.ModuleType("httpx._main")
    _stub.main = _httpx_cli_unavailable  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = _stub

from opencoc.agent.main import main  # noqa: E402

main()
