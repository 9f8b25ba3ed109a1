"""The shared base of the executors that call out over HTTP (API_CALL, NOTIFICATION).

Both take the same two seams (an httpx client to share, a resolver tests can fake) and must send
through the same door: a `GuardedHttp` over the workflow's network policy. Keeping that in one place
means a new HTTP step type cannot forget the SSRF check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from mwo.engine.executor import StepContext
from mwo.engine.guarded_http import GuardedHttp, client_scope, describe_url
from mwo.engine.net_policy import NetGuard, Resolver, system_resolver

__all__ = ["HttpExecutor"]


class HttpExecutor:
    """Holds the client and resolver; `guarded(ctx)` opens the guarded client for one attempt.

    `client`: an httpx.Client to share (the caller closes it); by default one is opened per attempt.
    `resolver`: how host names become addresses for the SSRF check (tests inject a fake DNS).
    """

    side_effects = True

    def __init__(self, client: httpx.Client | None = None, resolver: Resolver = system_resolver) -> None:
        self._client = client
        self._resolver = resolver

    @contextmanager
    def guarded(
        self, ctx: StepContext, describe: Callable[[httpx.URL], str] = describe_url
    ) -> Iterator[GuardedHttp]:
        """A GuardedHttp under the run's network policy, on the shared client or a fresh one."""
        with client_scope(self._client) as client:
            yield GuardedHttp(NetGuard(ctx.network, self._resolver), client, ctx.log, describe=describe)
