"""Healing benchmark: broken scripts repaired by `ScriptHealer`, judged by the exact expected output.

`python -m bench healing [--provider fake,oracle,local] [--limit N] [--class NAME ...] [--ids ID ...]
[--json PATH]` (default: fake, then local; the ratio of the two is printed).

The set, `bench/data/healing_cases.yaml`, holds >= 25 scripts broken the way code-writing models break
them (syntax, undefined names, wrong keys, type errors, return shape, missing return, empty lists,
date formats, division by zero, Korean text, forbidden calls), each with its input, a goal, the exact
expected output and a reference fix (checked first: a case whose fix does not give the expected
output is reported and left out).

Providers:
- `fake`: the scripted fake answering every model call with prose (no code): what the pipeline alone
  (the deterministic fixers and the loop) repairs;
- `oracle`: the fake answering with each case's reference fix: the loop accepts a right answer when
  it gets one (should be 100%);
- `local`: the embedded model (Qwen2.5-Coder-1.5B via llama.cpp), as `mwo script fix` uses it.
Targets on the local model (issue #12): >= 85% repaired exactly, median <= 60 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from langchain_core.messages import BaseMessage

from mwo.healing import ScriptHealer, ScriptRepairRequest
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.service import LlmService
from mwo.sandbox import Sandbox, config_from_settings
from mwo.settings import Settings
from mwo.store import open_store
from mwo.validation import check_script
from mwo.validation.dry_run import dry_run_script

DATA = Path(__file__).parent / "data" / "healing_cases.yaml"
PROVIDERS = ("fake", "oracle", "local")
PROSE_REPLY = "I looked at the script; it seems fine to me."
TARGETS = {"repaired_exactly": ">= 85%", "median_s": "<= 60 s"}


class EndlessChatModel(FakeChatModel):
    """The scripted fake with a script that never runs out: every call gets `reply`."""

    reply: str = PROSE_REPLY

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> FakeReply:
        self.script.append(self.reply)
        return super()._next(messages, kwargs)


@dataclass
class Outcome:
    id: str
    case_class: str
    status: str
    exact: bool
    first_round: bool
    rounds: int
    seconds: float
    tokens: int
    model_calls: int
    stopped: str


def main(argv: Sequence[str] = ()) -> None:
    args = _parser().parse_args(list(argv))
    cases = _selected(_load(), args)
    providers = [p for p in args.provider.split(",") if p]
    with tempfile.TemporaryDirectory(prefix="mwo-bench-healing-") as home:
        settings = Settings(home=Path(home), _env_file=None)  # type: ignore[call-arg]
        sandbox = Sandbox(config_from_settings(settings.sandbox))
        try:
            cases = _checked(cases, sandbox, settings)
            rounds, candidates = settings.healing_rounds, settings.healing_candidates
            print(f"  {len(cases)} cases; rounds {rounds}, candidates {candidates}")
            results = {p: _run(p, cases, settings, sandbox) for p in providers}
        finally:
            sandbox.close()
    for provider, outcomes in results.items():
        _report(provider, outcomes)
    if "fake" in results and "local" in results:
        _ratio(results["fake"], results["local"])
    if args.json:
        Path(args.json).write_text(
            json.dumps({p: [asdict(o) for o in r] for p, r in results.items()}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench healing")
    parser.add_argument("--provider", default="fake,local", help=f"comma list of {', '.join(PROVIDERS)}")
    parser.add_argument("--limit", type=int, default=None, help="only the first N cases (after filters)")
    parser.add_argument("--class", dest="classes", nargs="*", default=[], help="only these classes")
    parser.add_argument("--ids", nargs="*", default=[], help="only these case ids")
    parser.add_argument("--json", default=None, help="write every outcome to this file")
    return parser


def _load() -> list[dict[str, Any]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return list(data["cases"])


def _selected(cases: list[dict[str, Any]], args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.classes:
        cases = [c for c in cases if c["class"] in args.classes]
    if args.ids:
        cases = [c for c in cases if c["id"] in args.ids]
    return cases[: args.limit] if args.limit else cases


def _checked(cases: list[dict[str, Any]], sandbox: Sandbox, settings: Settings) -> list[dict[str, Any]]:
    """The cases whose reference fix gives the expected output (and whose broken code does not)."""
    kept = []
    for case in cases:
        fixed = dry_run_script(sandbox, case["fix"], case["inputs"], timeout_s=settings.dry_run_timeout_s)
        broken = dry_run_script(sandbox, case["code"], case["inputs"], timeout_s=settings.dry_run_timeout_s)
        if fixed.output != case["expected"]:
            print(f"  ! {case['id']}: the reference fix gives {fixed.output!r} ({fixed.error}); left out")
        elif broken.output == case["expected"] and not any(f.is_error for f in check_script(case["code"])):
            print(f"  ! {case['id']}: the broken code already passes; left out")
        else:
            kept.append(case)
    return kept


def _run(provider: str, cases: list[dict[str, Any]], settings: Settings, sandbox: Sandbox) -> list[Outcome]:
    store = open_store(settings)
    shared = LlmService(settings.llm, store) if provider == "local" else None
    outcomes = []
    try:
        for case in cases:
            model = _fake_for(provider, case)
            llm = shared or LlmService(settings.llm, store, chat_model=model)
            healer = ScriptHealer(settings, llm, sandbox, store)
            calls_before = _calls(store)
            result = healer.repair(_request(case, provider))
            exact = result.status != "failed" and result.output == case["expected"]
            outcome = Outcome(
                id=case["id"], case_class=case["class"], status=result.status, exact=exact,
                first_round=exact and result.rounds <= 1, rounds=result.rounds, seconds=result.seconds,
                tokens=result.tokens, model_calls=_calls(store) - calls_before, stopped=result.stopped,
            )  # fmt: skip
            outcomes.append(outcome)
            mark = "ok " if exact else "-- "
            print(
                f"  [{provider}] {mark}{case['id']:<26} {result.status:<10} round {result.rounds} "
                f"{result.seconds:6.1f} s {result.tokens:6d} tok  {result.stopped[:60]}",
                flush=True,
            )
    finally:
        if shared is not None:
            shared.close()
        store.close()
    return outcomes


def _fake_for(provider: str, case: dict[str, Any]) -> FakeChatModel | None:
    if provider == "fake":
        return EndlessChatModel()
    if provider == "oracle":
        return EndlessChatModel(reply=f"```python\n{case['fix']}```\n")
    return None


def _request(case: dict[str, Any], provider: str) -> ScriptRepairRequest:
    return ScriptRepairRequest(
        code=case["code"],
        inputs=case["inputs"],
        goal=case["goal"],
        output_schema=case.get("output_schema"),
        expected_output=case["expected"],
        subject=f"bench:{provider}:{case['id']}",
    )


def _calls(store: Any) -> int:
    return len(store.list_llm_calls(limit=100_000))


def _report(provider: str, outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    print(f"\n  {provider}: repaired exactly, by class (first round / after all rounds)")
    by_class: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_class[outcome.case_class].append(outcome)
    for name, group in sorted(by_class.items()):
        first = sum(o.first_round for o in group)
        exact = sum(o.exact for o in group)
        print(f"    {name:<16} {first:2d} / {exact:2d} of {len(group):2d}")
    total = len(outcomes)
    exact = sum(o.exact for o in outcomes)
    first = sum(o.first_round for o in outcomes)
    seconds = [o.seconds for o in outcomes]
    tokens = [o.tokens for o in outcomes]
    print(
        f"    {'all':<16} {first:2d} / {exact:2d} of {total:2d}: first round {_pct(first, total)}, "
        f"after all rounds {_pct(exact, total)} (target {TARGETS['repaired_exactly']})"
    )
    print(
        f"    seconds: median {statistics.median(seconds):.1f}, p90 {_p90(seconds):.1f} "
        f"(target median {TARGETS['median_s']}); tokens: total {sum(tokens)}, "
        f"median {statistics.median(tokens):.0f}; model calls {sum(o.model_calls for o in outcomes)}"
    )


def _ratio(fake: list[Outcome], local: list[Outcome]) -> None:
    fake_exact = sum(o.exact for o in fake)
    local_exact = sum(o.exact for o in local)
    ratio = f"{local_exact / fake_exact:.2f}x" if fake_exact else "n/a (the pipeline alone repaired none)"
    print(
        f"\n  pipeline alone (fake) {fake_exact}/{len(fake)}, with the local model "
        f"{local_exact}/{len(local)}: ratio local / fake {ratio}; the model added "
        f"{local_exact - fake_exact} repairs"
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) >= 2 else values[0]


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
