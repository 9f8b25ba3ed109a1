"""Run every benchmark: `python -m bench [name ...]`."""

from __future__ import annotations

import sys

from bench import engine_overhead, llm, rag, runs_per_second
from bench import sandbox as sandbox_bench
from bench import triggers as triggers_bench
from bench import webhooks as webhooks_bench

BENCHMARKS = {
    "engine_overhead": engine_overhead.main,
    "runs_per_second": runs_per_second.main,
    "llm": llm.main,
    "sandbox": sandbox_bench.main,
    "rag": rag.main,
    "triggers": triggers_bench.main,
    "webhooks": webhooks_bench.main,
}


def main(argv: list[str]) -> None:
    names = argv or list(BENCHMARKS)
    for name in names:
        print(f"\n## {name}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
