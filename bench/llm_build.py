"""Is another llama.cpp build faster here than the portable one in .venv? (issue #5: choose with figures)

`python -m bench.llm_build SITE_DIR` loads the embedded model in child processes, alternately with
.venv's llama-cpp-python and with the one installed in SITE_DIR (e.g. `uv pip install --target
SITE_DIR --no-deps llama_cpp_python-*.whl` of a build with AVX-512), so both meet the same machine
load, and prints prompt processing and generation speed per round, the medians and the ratio. A
crash of a child (the AMX build segfaulted in llama_decode) is reported, not hidden.

Generation is timed as single-token decodes (what a chat answer costs per token, sampling aside);
prompt processing as one 512-token batch on an empty context. One thread by default
(BENCH_LLM_THREADS): on a shared machine two threads meet at a barrier after every graph node and
wait for whichever was descheduled, which measures the load rather than the build; the instruction
set's gain shows per core.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROMPT_TOKENS = 512
GENERATED_TOKENS = 64
ROUNDS = int(os.environ.get("BENCH_LLM_ROUNDS", "3"))


def measure() -> dict[str, float]:
    """One child's figures (run with the build under test first on sys.path)."""
    import llama_cpp
    from llama_cpp import Llama

    from mwo.llm.model_files import ModelFiles
    from mwo.settings import Settings

    path = ModelFiles(Settings().resolved_llm_model_dir()).ensure()
    threads = int(os.environ.get("BENCH_LLM_THREADS", "1"))
    llama = Llama(model_path=str(path), n_ctx=2048, n_threads=threads, n_threads_batch=threads, verbose=False)
    text = " ".join(f"item {i} costs {i * 7 % 100} won;" for i in range(400))
    tokens = llama.tokenize(text.encode())[:PROMPT_TOKENS]
    llama.eval(tokens[:8])  # warm-up
    llama.reset()
    started = time.perf_counter()
    llama.eval(tokens)
    prompt_s = time.perf_counter() - started
    started = time.perf_counter()
    for token in tokens[:GENERATED_TOKENS]:
        llama.eval([token])
    generate_s = time.perf_counter() - started
    return {
        "prompt_tok_s": len(tokens) / prompt_s,
        "generate_tok_s": GENERATED_TOKENS / generate_s,
        "build": str(Path(llama_cpp.__file__).parent.parent),
    }


def _child(site: str | None) -> dict[str, float] | str:
    env = dict(os.environ)
    if site:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (site, env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bench.llm_build import measure; import json; print(json.dumps(measure()))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"crashed (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m bench.llm_build SITE_DIR  (a directory holding another llama_cpp build)")
        return
    builds = {"portable (.venv)": None, f"other ({args[0]})": args[0]}
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in builds}
    for round_number in range(1, ROUNDS + 1):
        for name, site in builds.items():
            result = _child(site)
            if isinstance(result, str):
                print(f"  round {round_number}, {name}: {result}")
                continue
            figures[name].append(result)
            print(
                f"  round {round_number}, {name}: prompt {result['prompt_tok_s']:6.1f} tok/s, "
                f"generation {result['generate_tok_s']:5.2f} tok/s"
            )
    medians = {
        name: (
            statistics.median(r["prompt_tok_s"] for r in runs),
            statistics.median(r["generate_tok_s"] for r in runs),
        )
        for name, runs in figures.items()
        if runs
    }
    for name, (prompt, generate) in medians.items():
        print(f"  median {name}: prompt {prompt:6.1f} tok/s, generation {generate:5.2f} tok/s")
    if len(medians) == 2:
        (base_p, base_g), (other_p, other_g) = medians.values()
        print(f"  other / portable: prompt {other_p / base_p:.2f}x, generation {other_g / base_g:.2f}x")


if __name__ == "__main__":
    main()
