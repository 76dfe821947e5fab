"""What an attachment may be: an allow-listed media type whose first bytes agree with it.

Binary types are recognised by their magic numbers (a six-entry table: no library needed for
that); text types must be UTF-8 (and JSON must parse). A declared type that the bytes
contradict is refused, so a file can never be stored under a type it is not. Types a browser
would render as a page (HTML, SVG, XML) are not on the list.
"""

import orjson

from opencoc.core.errors import OpenCOCError

TYPE_ERROR = "OPENCOC.ATTACHMENT.CONTENT_TYPE"

TEXT_TYPES = ("text/plain", "text/csv", "application/json")
# Media type -> the prefixes its content starts with.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "application/gzip": (b"\x1f\x8b",),
}
ALLOWED = (*TEXT_TYPES, *MAGIC)


def media_type(header: str | None) -> str:
    """The media type of a Content-Type header, lower case, without parameters ("" when absent)."""
    return (header or "").split(";", 1)[0].strip().lower()


def sniff(data: bytes) -> str | None:
    """The binary type the bytes start like, if any."""
    for kind, prefixes in MAGIC.items():
        if data.startswith(prefixes):
            return kind
    return None


def _refuse(msg: str) -> OpenCOCError:
    return OpenCOCError(TYPE_ERROR, msg, status=415)


def check(declared: str, data: bytes) -> str:
    """The declared media type when it is allowed and the bytes agree with it; else a 415 saying why."""
    if declared not in ALLOWED:
        raise _refuse(f"Content-Type[{declared[:64]}] is not allowed: use one of {', '.join(ALLOWED)}")
    found = sniff(data)
    if declared in MAGIC:
        if found != declared:
            raise _refuse(
                f"Content-Type[{declared}] does not match the content (it starts like {found or 'no such file'})"
            )
        return declared
    if found is not None:
        raise _refuse(f"Content-Type[{declared}] does not match the content (it starts like {found})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(f"Content-Type[{declared}] needs UTF-8 text: the content is not") from None
    if declared == "application/json":
        try:
            orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _refuse("Content-Type[application/json] needs valid JSON: the content is not") from None
    return declared
