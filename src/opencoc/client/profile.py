"""Where the CLI finds its endpoint and access key: environment first, then a profile file.

Environment: OPENCOC_ENDPOINT, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK (the SDK's own names).
Profile: $OPENCOC_PROFILE, else $OPENCOC_DATA_DIR/profile.json (default ./.opencoc/profile.json),
else ~/.config/opencoc/profile.json; written by `opencoc quickstart` with mode 0600.
"""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Profile:
    endpoint: str
    access_key: str
    secret_key: str
    domain_id: str | None = None


def candidate_paths() -> list[Path]:
    paths = []
    if os.environ.get("OPENCOC_PROFILE"):
        paths.append(Path(os.environ["OPENCOC_PROFILE"]))
    paths.append(Path(os.environ.get("OPENCOC_DATA_DIR", ".opencoc")) / "profile.json")
    paths.append(Path.home() / ".config" / "opencoc" / "profile.json")
    return paths


def load_profile() -> Profile | None:
    env_ak, env_sk = os.environ.get("HUAWEICLOUD_SDK_AK"), os.environ.get("HUAWEICLOUD_SDK_SK")
    if env_ak and env_sk:
        endpoint = os.environ.get("OPENCOC_ENDPOINT", "http://127.0.0.1:8000")
        return Profile(endpoint, env_ak, env_sk, os.environ.get("HUAWEICLOUD_SDK_DOMAIN_ID"))
    for path in candidate_paths():
        if path.is_file():
            data = json.loads(path.read_text())
            if os.environ.get("OPENCOC_ENDPOINT"):
                data["endpoint"] = os.environ["OPENCOC_ENDPOINT"]
            return Profile(**data)
    return None


def save_profile(profile: Profile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(asdict(profile), fh, indent=2)
