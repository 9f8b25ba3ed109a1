"""Run every benchmark: `python -m bench [name [options] ...]`.

A name may be followed by that benchmark's own options: `python -m bench authoring --provider fake`.
"""

from __future__ import annotations

import sys

from bench import authoring as authoring_bench
from bench import cli as cli_bench
from bench import engine_overhead, llm, rag, runs_per_second
from bench import healing as healing_bench
from bench import sandbox as sandbox_bench
from bench import scale as scale_bench
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
    "authoring": authoring_bench.main,
    "healing": healing_bench.main,
    "cli": cli_bench.main,
    "scale": scale_bench.main,
}


def main(argv: list[str]) -> None:
    if argv and argv[0] not in BENCHMARKS:  # `--help`, or a misspelt name: say what there is
        known = ", ".join(BENCHMARKS)
        if argv[0] not in ("-h", "--help"):
            sys.exit(f"no benchmark called {argv[0]!r}; choose from: {known}")
        print(f"{__doc__}\nbenchmarks: {known}")
        return
    runs: list[tuple[str, list[str]]] = [] if argv else [(name, []) for name in BENCHMARKS]
    for arg in argv:
        if arg in BENCHMARKS or not runs:
            runs.append((arg, []))
        else:
            runs[-1][1].append(arg)  # an option (or its value) of the benchmark named before it
    for name, options in runs:
        print(f"\n## {name}")
        if options:
            BENCHMARKS[name](options)  # type: ignore[call-arg]
        else:
            BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
