"""Light runs per second: a 3-step DATA_TRANSFORM workflow, every run and step recorded in the store,
vs a plain 3-node LangGraph graph with a SQLite checkpointer, one after another on one process.

Target (issue #3): >= 300 runs/s on one node.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.harness import apply, chain_spec, mwo_services, plain_langgraph_chain

SECONDS = 5.0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain = plain_langgraph_chain(3, Path(tmp) / "plain.db")
        baseline = _rate(lambda i: plain(f"t{i}"))
    with mwo_services() as services:
        apply(services, chain_spec("three", 3))
        ours = _rate(lambda _: services.runs.start("three"))
        runs = len(services.store.list_runs(_all("three")))
    print(f"3-step DATA_TRANSFORM workflow, sequential, {SECONDS:.0f} s each:")
    print(f"  plain LangGraph + SQLite:  {baseline:7.1f} runs/s")
    print(f"  MWO (runs + step rows):    {ours:7.1f} runs/s   ({runs} runs recorded)")
    print(f"  ratio MWO / plain LangGraph: {ours / baseline:.2f}x; target >= 300 runs/s")


def _rate(run_once: object) -> float:
    assert callable(run_once)
    for i in range(3):
        run_once(-1 - i)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        run_once(count)
        count += 1
    return count / (time.perf_counter() - start)


def _all(name: str) -> object:
    from mwo.store.records import RunFilter

    return RunFilter(workflow_name=name, limit=1_000_000)


if __name__ == "__main__":
    main()
