"""Shared by the benchmarks: a throw-away MWO home, timing, and the plain LangGraph baseline."""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph

from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data

RECORDS = [{"title": f"article {i}", "views": (i * 7919) % 1000} for i in range(10)]


def light_work(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each light step does in every variant: sort 10 records by views, keep 5."""
    return sorted(value, key=lambda r: r["views"], reverse=True)[:5] + value[5:]


def chain_spec(name: str, steps: int) -> dict[str, Any]:
    """A workflow of `steps` DATA_TRANSFORM steps, each sorting and limiting the previous output."""
    spec_steps = [
        {
            "id": "s0",
            "type": "DATA_TRANSFORM",
            "source": "inputs.records",
            "ops": [{"op": "sort", "by": "views", "descending": True}],
        }
    ]
    for i in range(1, steps):
        spec_steps.append(
            {
                "id": f"s{i}",
                "type": "DATA_TRANSFORM",
                "source": f"steps.s{i - 1}.output.result",
                "ops": [{"op": "sort", "by": "views", "descending": True}],
            }
        )
    return {"name": name, "inputs": {"records": {"type": "array", "default": RECORDS}}, "steps": spec_steps}


@contextmanager
def mwo_services() -> Iterator[Services]:
    with tempfile.TemporaryDirectory(prefix="mwo-bench-") as home:
        services = Services.open(Settings(home=Path(home)))
        try:
            yield services
        finally:
            services.close()


def apply(services: Services, data: dict[str, Any]) -> None:
    services.applier.apply_workflow(workflow_from_data(data))


class _State(TypedDict):
    value: list[dict[str, Any]]


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    return {**left, **right}


class _KeptState(TypedDict):
    value: list[dict[str, Any]]
    outputs: Annotated[dict[str, Any], _merge]


def plain_langgraph_chain(steps: int, path: Path, *, keep_outputs: bool = False) -> Callable[[str], None]:
    """The same chain as a bare LangGraph graph with a SQLite checkpointer (WAL, like ours).

    `keep_outputs`: every node also adds its result to a dict of all outputs in the state, as MWO
    must (any later step may read any earlier step's output), so each checkpoint grows the same way.
    """
    graph: StateGraph[Any, None, Any, Any] = StateGraph(_KeptState if keep_outputs else _State)
    for i in range(steps):
        graph.add_node(f"s{i}", _node(f"s{i}", keep_outputs))
    graph.add_edge(START, "s0")
    for i in range(1, steps):
        graph.add_edge(f"s{i - 1}", f"s{i}")
    graph.add_edge(f"s{steps - 1}", END)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn)
    saver.setup()
    compiled = graph.compile(checkpointer=saver)

    start: dict[str, Any] = {"value": RECORDS, "outputs": {}} if keep_outputs else {"value": RECORDS}

    def run(thread: str) -> None:
        compiled.invoke(start, {"configurable": {"thread_id": thread}}, durability="sync")

    return run


def _node(name: str, keep_outputs: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def node(state: dict[str, Any]) -> dict[str, Any]:
        value = light_work(state["value"])
        return {"value": value, "outputs": {name: {"result": value}}} if keep_outputs else {"value": value}

    return node


def timed(fn: Callable[[int], None], repeat: int, warmup: int = 2) -> list[float]:
    """Seconds per call of fn(i), after warm-up calls."""
    return timed_together({"": fn}, repeat, warmup)[""]


def timed_together(
    variants: dict[str, Callable[[int], None]], repeat: int, warmup: int = 2
) -> dict[str, list[float]]:
    """Seconds per call of each variant's fn(i), the variants taking turns call by call: on a shared
    2-core machine the background load drifts over seconds, and timing one variant after another
    put that drift into their ratio."""
    for i in range(warmup):
        for fn in variants.values():
            fn(-1 - i)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for i in range(repeat):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn(i)
            samples[name].append(time.perf_counter() - start)
    return samples


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
