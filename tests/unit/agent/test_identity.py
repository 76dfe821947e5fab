"""The agent's identity (agent/identity.py): saved once, readable by the agent's user only."""

import json
import stat
from pathlib import Path

from opencoc.agent import identity
from opencoc.agent.identity import Identity

IDENT = Identity("sn-1", "secret-1", "res-1", "http://server")


def test_identity_is_saved_readable_by_the_owner_only(tmp_path: Path) -> None:
    identity.save(tmp_path / "state", IDENT)
    path = tmp_path / "state" / "identity.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert identity.load(tmp_path / "state") == IDENT
    assert [p.name for p in (tmp_path / "state").iterdir()] == ["identity.json"], "no temporary file is left"


def test_a_directory_that_never_enrolled_has_no_identity(tmp_path: Path) -> None:
    assert identity.load(tmp_path / "elsewhere") is None


def test_an_identity_saved_before_the_server_was_recorded_loads_without_it(tmp_path: Path) -> None:
    (tmp_path / "identity.json").write_text(json.dumps({"agent_sn": "a", "agent_secret": "s", "resource_id": "r"}))
    assert identity.load(tmp_path) == Identity("a", "s", "r", "")


def test_the_authorization_names_the_agent_and_its_secret() -> None:
    assert IDENT.authorization == "Bearer sn-1:secret-1"
