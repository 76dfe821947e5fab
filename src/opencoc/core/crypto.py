"""Encryption at rest for secrets (access-key secrets, sensitive script parameters).

A stored secret is a Fernet token under a key derived from the server's master key:
- version 2, what `encrypt` writes: `v2:` + token, the key derived with HKDF-SHA256;
- version 1, written before: the bare token, the key one SHA-256 of the master key.
Both are read, so stored secrets are never re-encrypted in bulk; a secret becomes version 2
when it is written again (a new key, an edited script). Fernet tokens never hold `:`, so the
prefix cannot be mistaken for a version-1 token.
"""

import base64
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from opencoc.config import Settings

V2 = "v2:"
_V2_INFO = b"opencoc/secrets-at-rest/v2"  # never change: every stored v2 secret depends on it


def _v1_key(master_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(master_key.encode()).digest())


def _v2_key(master_key: str) -> bytes:
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=_V2_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(master_key.encode()))


def load_master_key(settings: Settings) -> str:
    """OPENCOC_SECRET_KEY, else a key generated once into the data dir (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return path.read_text().strip()


class Cipher:
    """Symmetric authenticated encryption (Fernet) under the server's master key."""

    def __init__(self, master_key: str) -> None:
        self._v1 = Fernet(_v1_key(master_key))
        self._v2 = Fernet(_v2_key(master_key))

    def encrypt(self, plaintext: str) -> str:
        return V2 + self._v2.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        fernet, token = (self._v2, ciphertext[len(V2) :]) if ciphertext.startswith(V2) else (self._v1, ciphertext)
        try:
            return fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("secret cannot be decrypted with this OPENCOC_SECRET_KEY") from exc


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
