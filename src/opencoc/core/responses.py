"""The JSON response class of every route: orjson rendering, real JSON types."""

from typing import Any

import orjson
from starlette.responses import JSONResponse

from opencoc.core.json_bounds import clip

# orjson writes at most 254 levels; a response's own nesting is a handful, a bounded field 16 more.
RENDER_DEPTH = 64


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except orjson.JSONEncodeError:
            # A value stored before input bounds existed (too deep, or an integer beyond 64 bits)
            # renders clipped rather than failing the whole list it is in.
            return orjson.dumps(clip(content, RENDER_DEPTH))
