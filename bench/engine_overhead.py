"""Engine overhead: a 40-step chain of light DATA_TRANSFORM steps through MWO (store rows, templates,
checkpoints) vs the same chain as a plain LangGraph graph with a SQLite checkpointer vs a Python loop.

Target (issue #3): MWO <= 1.3x plain LangGraph with its checkpointer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.harness import (
    RECORDS,
    apply,
    chain_spec,
    light_work,
    mwo_services,
    p50,
    p95,
    plain_langgraph_chain,
    timed,
    timed_together,
)
from mwo.store.records import RunStatus

STEPS = 40
REPEAT = 40


def main() -> None:
    loop = timed(lambda _: _python_loop(), REPEAT * 10)
    with tempfile.TemporaryDirectory() as tmp, mwo_services() as services:
        plain = plain_langgraph_chain(STEPS, Path(tmp) / "plain.db")
        kept = plain_langgraph_chain(STEPS, Path(tmp) / "kept.db", keep_outputs=True)
        apply(services, chain_spec("chain40", STEPS))

        def one_run(_: int) -> None:
            run = services.runs.start("chain40")
            assert run.status is RunStatus.SUCCEEDED, run.error

        samples = timed_together(
            {
                "plain": lambda i: plain(f"t{i}"),
                "kept": lambda i: kept(f"t{i}"),
                "ours": one_run,
            },
            REPEAT,
        )
    baseline, kept_baseline, ours = samples["plain"], samples["kept"], samples["ours"]
    print(f"{STEPS}-step chain, p50 / p95 per run ({REPEAT} runs each, the three variants taking turns):")
    print(f"  python loop:               {p50(loop) * 1e3:8.2f} ms / {p95(loop) * 1e3:8.2f} ms")
    print(
        f"  plain LangGraph + SQLite:  {p50(baseline) * 1e3:8.2f} ms / {p95(baseline) * 1e3:8.2f} ms"
        f"   ({p50(baseline) / STEPS * 1e3:.2f} ms a step)"
    )
    print(
        f"  LangGraph, keeps all:      {p50(kept_baseline) * 1e3:8.2f} ms / "
        f"{p95(kept_baseline) * 1e3:8.2f} ms"
        f"   ({p50(kept_baseline) / STEPS * 1e3:.2f} ms a step)"
    )
    print(
        f"  MWO engine (store+graph):  {p50(ours) * 1e3:8.2f} ms / {p95(ours) * 1e3:8.2f} ms"
        f"   ({p50(ours) / STEPS * 1e3:.2f} ms a step)"
    )
    print(f"  ratio MWO / plain LangGraph: {p50(ours) / p50(baseline):.2f}x (target <= 1.3x)")
    print(f"  ratio MWO / LangGraph keeping all outputs: {p50(ours) / p50(kept_baseline):.2f}x")


def _python_loop() -> None:
    value = RECORDS
    for _ in range(STEPS):
        value = light_work(value)


if __name__ == "__main__":
    main()
