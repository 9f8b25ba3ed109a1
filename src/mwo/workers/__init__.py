"""Executing runs in a server process: the bounded worker pool, the stuck-run reaper and the
`mwo serve` lifecycle that ties the API, the scheduler and the folder watcher to them."""

from __future__ import annotations

from mwo.workers.pool import PoolStats, WorkerPool

__all__ = ["PoolStats", "WorkerPool"]
