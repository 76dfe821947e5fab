"""Secrets at rest (core/crypto.py): encrypted under the master key, and still readable after an upgrade."""

import base64
import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from opencoc.config import Settings
from opencoc.core.crypto import Cipher, load_master_key, sha256_hex
from tests.support.old_secrets import old_encrypt

# Written by OpenCOC 0.1.0 under the master key "golden-master-key": databases hold such values, so
# every later version must still decrypt them (a new key derivation needs a version prefix).
GOLDEN = (
    "gAAAAABrEFmwWAAL3BZZrUNLGVToirBwh59ApCfMCFLMWgGrUqp4QRNHA_UmEGQzV8vb7k1NbZvCcs_olJL4DJdHcKzBcB0b8SjnD0D0ddpM"
    "NETStW_AFkehUwFaF4CWHg6twy_nA1OQ"
)


def test_a_secret_stored_by_an_earlier_version_still_decrypts() -> None:
    assert Cipher("golden-master-key").decrypt(GOLDEN) == "s3cret value, encrypted by 0.1.0"


def test_a_secret_stored_the_first_way_still_decrypts() -> None:
    assert Cipher("k1").decrypt(old_encrypt("k1", "sk-old")) == "sk-old"


def test_a_new_secret_carries_the_v2_prefix_and_an_hkdf_derived_key() -> None:
    stored = Cipher("k1").encrypt("sk-new")
    assert stored.startswith("v2:")
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"opencoc/secrets-at-rest/v2").derive(b"k1")
    assert Fernet(base64.urlsafe_b64encode(key)).decrypt(stored[3:].encode()) == b"sk-new"


@pytest.mark.parametrize(
    "stored",
    [lambda: old_encrypt("k2", "x"), lambda: Cipher("k2").encrypt("x"), lambda: "v2:junk"],
    ids=["first-way", "v2", "v2-junk"],
)
def test_either_version_under_another_master_key_is_refused(stored: Callable[[], str]) -> None:
    with pytest.raises(ValueError, match="OPENCOC_SECRET_KEY"):
        Cipher("k1").decrypt(stored())


def test_a_secret_round_trips_and_never_appears_in_its_ciphertext() -> None:
    cipher = Cipher("k1")
    first, second = cipher.encrypt("hunter2 ✓"), cipher.encrypt("hunter2 ✓")
    assert cipher.decrypt(first) == cipher.decrypt(second) == "hunter2 ✓"
    assert first != second, "each encryption is randomised"
    assert "hunter2" not in first


def test_another_master_key_cannot_decrypt_and_says_which_setting_to_check() -> None:
    with pytest.raises(ValueError, match="OPENCOC_SECRET_KEY"):
        Cipher("k2").decrypt(Cipher("k1").encrypt("x"))
    with pytest.raises(ValueError, match="OPENCOC_SECRET_KEY"):
        Cipher("k1").decrypt("not a ciphertext")


def test_the_configured_key_wins_else_one_is_generated_once_readable_by_the_owner_only(tmp_path: Path) -> None:
    assert load_master_key(Settings(data_dir=tmp_path, secret_key="configured")) == "configured"
    assert not (tmp_path / "secret.key").exists()
    generated = load_master_key(Settings(data_dir=tmp_path / "data", secret_key=None))
    path = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(generated) == 44
    assert load_master_key(Settings(data_dir=tmp_path / "data", secret_key=None)) == generated
    assert Cipher(generated).decrypt(Cipher(generated).encrypt("usable")) == "usable"


def test_sha256_hex_is_the_hex_digest_of_the_utf8_text() -> None:
    assert sha256_hex("é") == hashlib.sha256("é".encode()).hexdigest()
