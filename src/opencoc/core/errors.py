"""The one exception type every layer raises for a client-visible error.

OpenCOCError            -> 4xx/5xx in the family envelope of the route
  .status               HTTP status (400 unless said otherwise)
  .error_code           e.g. "COC.00067003"
  .error_msg            names the field and the rule, never a secret
  .headers              extra response headers (e.g. Retry-After on a 503)
"""


class OpenCOCError(Exception):
    """A client-visible error, rendered in the envelope of the route's family."""

    def __init__(
        self, error_code: str, error_msg: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(error_msg)
        self.error_code = error_code
        self.error_msg = error_msg
        self.status = status
        self.headers = headers


UNAUTHORIZED_CODE = "common.01010001"
UNAUTHORIZED_MSG = "Token missing or invalid."


def unauthorized() -> OpenCOCError:
    return OpenCOCError(UNAUTHORIZED_CODE, UNAUTHORIZED_MSG, status=401)
