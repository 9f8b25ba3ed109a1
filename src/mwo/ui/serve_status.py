"""Is `mwo serve` running? The UI asks the server's `GET /health` (the scheduler's liveness is in it):
without a server, schedules and webhooks do not fire, and the app says so."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from mwo.settings import Settings

PROBE_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class ServeStatus:
    url: str
    status: str | None
    """The server's own word ('ok', 'degraded', 'draining'); None when nothing answers."""

    @property
    def running(self) -> bool:
        return self.status is not None


def server_url(settings: Settings) -> str:
    host = settings.serve_host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"  # a server listening everywhere answers on loopback too
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.serve_port}"


def probe_server(settings: Settings, timeout_s: float = PROBE_TIMEOUT_S) -> ServeStatus:
    """Ask the configured server for its health; a refused or silent port means not running."""
    url = server_url(settings)
    try:
        response = httpx.get(f"{url}/health", timeout=timeout_s)
        body = response.json()
    except (httpx.HTTPError, ValueError):
        return ServeStatus(url, None)
    status = body.get("status") if isinstance(body, dict) else None
    return ServeStatus(url, str(status) if status else None)
