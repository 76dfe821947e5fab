"""Secrets as the first version of OpenCOC stored them, to check that they stay readable."""

import base64
import hashlib

from cryptography.fernet import Fernet


def old_encrypt(master: str, plaintext: str) -> str:
    """Fernet under the SHA-256 of the master key, with no version prefix."""
    key = base64.urlsafe_b64encode(hashlib.sha256(master.encode()).digest())
    return Fernet(key).encrypt(plaintext.encode()).decode()
