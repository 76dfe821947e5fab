"""Secrets at rest: new ones are version 2 (HKDF), those written before stay readable."""

import base64

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from opencoc.core.crypto import Cipher
from tests.support.old_secrets import old_encrypt

MASTER = "test-master-key"


def test_a_secret_stored_by_the_first_version_still_decrypts() -> None:
    assert Cipher(MASTER).decrypt(old_encrypt(MASTER, "sk-old")) == "sk-old"


def test_a_new_secret_carries_the_v2_prefix_and_an_hkdf_derived_key() -> None:
    stored = Cipher(MASTER).encrypt("sk-new")
    assert stored.startswith("v2:")
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"opencoc/secrets-at-rest/v2").derive(MASTER.encode())
    assert Fernet(base64.urlsafe_b64encode(key)).decrypt(stored[3:].encode()) == b"sk-new"
    assert Cipher(MASTER).decrypt(stored) == "sk-new"


@pytest.mark.parametrize("stored", [old_encrypt("another key", "x"), Cipher("another key").encrypt("x"), "v2:junk"])
def test_a_secret_under_another_master_key_is_refused(stored: str) -> None:
    with pytest.raises(ValueError, match="OPENCOC_SECRET_KEY"):
        Cipher(MASTER).decrypt(stored)
