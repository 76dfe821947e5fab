"""The attachment type rules: allow-list, magic bytes, UTF-8 text and JSON."""

import pytest

from opencoc.attachments import content
from opencoc.core.errors import OpenCOCError

PNG = b"\x89PNG\r\n\x1a\nrest"


@pytest.mark.parametrize(
    ("declared", "data"),
    [
        ("image/png", PNG),
        ("image/jpeg", b"\xff\xd8\xff\xe0JFIF"),
        ("image/gif", b"GIF89a..."),
        ("application/pdf", b"%PDF-1.7\n"),
        ("application/zip", b"PK\x03\x04..."),
        ("application/gzip", b"\x1f\x8b\x08"),
        ("text/plain", "ünïcode".encode()),
        ("text/csv", b"a,b\n1,2\n"),
        ("application/json", b'{"a": [1, 2]}'),
    ],
)
def test_an_allowed_type_matching_its_bytes_passes(declared: str, data: bytes) -> None:
    assert content.check(declared, data) == declared


@pytest.mark.parametrize(
    ("declared", "data", "fragment"),
    [
        ("text/html", b"<html>", "not allowed"),
        ("image/svg+xml", b"<svg/>", "not allowed"),
        ("", b"x", "not allowed"),
        ("image/png", b"GIF89a", "image/gif"),
        ("image/jpeg", b"plain", "no such file"),
        ("text/plain", PNG, "image/png"),
        ("application/json", b"%PDF-1.4", "application/pdf"),
        ("text/plain", b"\xc3\x28", "UTF-8"),
        ("application/json", b"{", "JSON"),
    ],
)
def test_a_refused_type_is_415_saying_why(declared: str, data: bytes, fragment: str) -> None:
    with pytest.raises(OpenCOCError) as raised:
        content.check(declared, data)
    assert raised.value.status == 415 and fragment in raised.value.error_msg


def test_media_type_drops_parameters_and_case() -> None:
    assert content.media_type("Text/Plain; charset=UTF-8") == "text/plain"
    assert content.media_type(None) == ""
