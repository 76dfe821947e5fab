"""Settings from OPENCOC_* environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the server, read from the environment (prefix OPENCOC_)."""

    model_config = SettingsConfigDict(env_prefix="OPENCOC_", extra="ignore")

    data_dir: Path = Path(".opencoc")
    database_url: str | None = None
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1024 * 1024
    attachment_max_bytes: int = 10 * 1024 * 1024
    max_header_bytes: int = 32 * 1024
    max_headers: int = 100
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 60.0
    clock_skew_seconds: int = 15 * 60
    token_ttl_seconds: int = 24 * 3600
    log_level: str = "info"
    # The app applies the schema's migrations when it starts; `opencoc serve` applies them before it
    # starts the server process and turns this off for it (opencoc/serving.py).
    migrate_on_start: bool = True
    # The agent fleet (docs/agent-protocol.md): an agent's long-poll is held at most this long and
    # itself proves the agent alive; an agent is OFFLINE after two polls' time without a sign of life.
    agent_poll_seconds: float = 30.0
    agent_offline_after_seconds: float = 60.0
    # Admission control on the agent routes only: beyond this many agent requests being worked on at
    # once, an agent gets 503 with Retry-After between 1 and agent_retry_after_max_seconds (random,
    # so that a refused fleet does not come back in step). User API calls are never refused by it.
    agent_max_active_requests: int = 64
    agent_retry_after_max_seconds: int = 10
    public_url: str | None = None
    docs: bool = False
    # The web console: a session ends after this long without a request; X-Forwarded-Proto is
    # believed (for the cookie's Secure flag) only from these comma-separated proxy addresses.
    console_idle_seconds: int = 12 * 3600
    console_trusted_proxies: str = ""
    # Notifications (notifications/allowlist.py): comma-separated lists an admin sets. A host is a name
    # or an IP network; only listed hosts may resolve to private, loopback or link-local addresses.
    notify_allowed_schemes: str = (
        "mailto,mailtos,json,jsons,xml,xmls,form,forms,slack,discord,workflows,tgram,ntfy,ntfys,"
        "gotify,gotifys,mmost,mmosts,rocket,rockets,matrix,matrixs,pover,pagerduty,opsgenie,dingtalk,wecombot"
    )
    notify_allowed_hosts: str = ""
    notify_max_attempts: int = 8
    notify_send_timeout_seconds: float = 30.0

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'opencoc.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def trusted_proxies(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.console_trusted_proxies.split(",") if a.strip())

    @property
    def endpoint(self) -> str:
        """The URL clients use to reach this server."""
        return self.public_url or f"http://{self.host}:{self.port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
