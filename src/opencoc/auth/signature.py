"""SDK-HMAC-SHA256, the request signature of Huawei Cloud SDKs (sdk-wire.md §4.3).

Both sides use these functions: the server to verify exactly what was sent (`string_to_verify`),
our CLI and tests to sign (`string_to_sign`). The payload hash in the signed string is always
the hash of the body itself: an `X-Sdk-Content-Sha256` header is believed only when it says
the same, or when the signer opted out of body integrity with the SDK's `UNSIGNED-PAYLOAD`
(signed, on a non-JSON body, as the SDK does for multipart); otherwise a captured request
could carry another body under its signature.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
CONTENT_SHA256 = "x-sdk-content-sha256"
_HASHED_TYPES = ("application/json", "application/bson")  # the SDK always hashes these bodies

_AUTH_RE = re.compile(
    r"SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+)\s*,\s*SignedHeaders=(?P<sh>[^,\s]+)\s*,\s*Signature=(?P<sig>[0-9a-fA-F]+)"
)


@dataclass(frozen=True)
class Authorization:
    access_key: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str) -> Authorization | None:
    """The parts of an `Authorization: SDK-HMAC-SHA256 ...` header, or None if malformed."""
    match = _AUTH_RE.fullmatch(value.strip())
    if not match:
        return None
    return Authorization(match["ak"], match["sh"].split(";"), match["sig"].lower())


def canonical_uri(raw_path: str) -> str:
    """Decode, split, re-quote each segment with safe='~', and end with '/'."""
    segments = [quote(seg, safe="~") for seg in unquote(raw_path).split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query: str) -> str:
    pairs = sorted(parse_qsl(raw_query, keep_blank_values=True))
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)


def canonical_headers(headers: Mapping[str, str], signed: Iterable[str]) -> str:
    return "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)


def payload_hash_to_verify(body: bytes, headers: Mapping[str, str], signed: list[str]) -> str | None:
    """The payload hash the signer must have used for the body received, or None if none can be trusted."""
    actual = hashlib.sha256(body).hexdigest()
    declared = headers.get(CONTENT_SHA256)
    if declared is None or declared.strip() == actual:
        return actual
    if declared.strip() != UNSIGNED_PAYLOAD:
        return None
    if not body:
        return actual  # the SDK hashes an empty body whatever the header says
    content_type = headers.get("content-type", "")
    if CONTENT_SHA256 in signed and content_type and not content_type.startswith(_HASHED_TYPES):
        return UNSIGNED_PAYLOAD
    return None


def string_to_sign_for_hash(
    method: str, raw_path: str, raw_query: str, headers: Mapping[str, str], signed: list[str], payload_hash: str
) -> str:
    """The string to sign, with the payload hash given (a body's SHA-256 hex, or UNSIGNED-PAYLOAD)."""
    canonical = "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            canonical_headers(headers, signed),
            ";".join(signed),
            payload_hash,
        ]
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{headers.get('x-sdk-date', '')}\n{digest}"


def string_to_sign(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed: list[str],
    body: bytes,
) -> str:
    """The string a signer signs for `body`; `headers` must have lower-case names."""
    return string_to_sign_for_hash(method, raw_path, raw_query, headers, signed, hashlib.sha256(body).hexdigest())


def string_to_verify(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed: list[str],
    body: bytes,
) -> str | None:
    """The string the signer of this request must have signed, or None when its payload hash is not the body's."""
    payload_hash = payload_hash_to_verify(body, headers, signed)
    if payload_hash is None:
        return None
    return string_to_sign_for_hash(method, raw_path, raw_query, headers, signed, payload_hash)


def signature(secret: str, to_sign: str) -> str:
    return hmac.new(secret.encode(), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def matches(secret: str, to_sign: str, given: str) -> bool:
    return hmac.compare_digest(signature(secret, to_sign), given)


def authorization_header(access_key: str, signed: list[str], sig: str) -> str:
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed)}, Signature={sig}"
