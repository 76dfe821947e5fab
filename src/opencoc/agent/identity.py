"""The agent's identity in its state directory: `identity.json` (mode 0600), written once."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

IDENTITY_FILE = "identity.json"


@dataclass(frozen=True)
class Identity:
    agent_sn: str
    agent_secret: str
    resource_id: str
    server: str

    @property
    def authorization(self) -> str:
        return f"Bearer {self.agent_sn}:{self.agent_secret}"


def load(state_dir: Path) -> Identity | None:
    """The saved identity, or None when this directory has never enrolled."""
    path = state_dir / IDENTITY_FILE
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    return Identity(raw["agent_sn"], raw["agent_secret"], raw["resource_id"], raw.get("server", ""))


def save(state_dir: Path, identity: Identity, *, durable: bool = True) -> None:
    """Write the identity atomically, readable by the agent's user only; `durable` syncs it to disk first
    (a simulated fleet's identities skip that: thousands of fsyncs would make the disk the benchmark)."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = state_dir / f".{IDENTITY_FILE}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(asdict(identity), fh)
        fh.flush()
        if durable:
            os.fsync(fh.fileno())
    os.replace(tmp, state_dir / IDENTITY_FILE)
