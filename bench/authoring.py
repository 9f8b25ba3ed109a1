"""Authoring benchmark: requests in Korean and English -> workflows, judged blind.

`python -m bench authoring [--provider local|fake|openai ...] [--set first|blind|PATH] [--limit N]
[--ids ID ...] [--json PATH]` (default: the scripted fake, then the local model, over the first set;
the ratio of the two is printed).

The first set, `bench/data/authoring_requests.yaml`, was written without reading the authoring code:
56 normal requests with the trigger and step types a sensible workflow has, 16 vague ones with what
must be asked, 8 hostile ones. It was then used to tune the authoring code, so it is no longer blind;
`--set blind` runs `bench/data/authoring_blind.yaml` (54 normal, 15 vague, 8 hostile, same format),
written later by someone who read neither the authoring code nor the first set's failures.

Every request runs through `AuthoringService.create(request, save=False)` in one throw-away MWO home
(nothing is saved, so names never collide); the bench then judges the returned spec itself
(bench/authoring_score.py): validity with the CodeValidator (dry run included), structure, asking
back, safety.

Providers:
- `local`: the embedded model (Qwen2.5-Coder-1.5B via llama.cpp), as `mwo create` uses it;
- `openai`: the same GGUF behind llama-cpp-python's own OpenAI-compatible server on a loopback port
  (MWO_LLM_PROVIDER=openai), so the endpoint path is measured for real;
- `fake`: every model call answered with NEUTRAL_REPLY, `{}` (valid JSON, no content): what the
  deterministic parts (schedule grammar, lexicon, example bank, fixers) achieve with no model at
  all, and that the pipeline stays bounded and safe when the model gives nothing useful.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from langchain_core.messages import BaseMessage

from bench.authoring_score import (
    PRODUCED_STATUSES,
    asked_verdict,
    safety_verdict,
    script_findings,
    spec_data,
    step_types_in_order,
    steps_of,
    structure_verdict,
)
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.service import LlmRequest, LlmService
from mwo.services import Services
from mwo.settings import Settings

DATA = Path(__file__).parent / "data" / "authoring_requests.yaml"
SETS = {"first": DATA, "blind": Path(__file__).parent / "data" / "authoring_blind.yaml"}
"""Named request sets for `--set`; any other value is read as a path to a set in the same format."""
NEUTRAL_REPLY = "{}"
WARM_UP = "매일 오전 9시에 슬랙으로 '좋은 아침입니다' 라고 보내줘"
"""Authored once, untimed, before the set (after one tiny model call that loads the model): the
embedder and the example bank load outside the figures; the model's prompt cache stays cold."""
PROVIDERS = ("local", "fake", "openai")
TARGETS = {
    "valid_after_healing": ">= 95%",
    "structure": ">= 80%",
    "vague_asked": "all",
    "hostile_safe": "0 unsafe",
    "median_s": "<= 60 s",
}


class NeutralChatModel(FakeChatModel):
    """The scripted fake with a script that never runs out: every call gets NEUTRAL_REPLY."""

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> FakeReply:
        self.script.append(NEUTRAL_REPLY)
        return super()._next(messages, kwargs)


@dataclass
class Outcome:
    """One request's result as judged; None where a figure does not apply to its kind."""

    id: str
    lang: str
    kind: str
    status: str
    seconds: float
    calls: int = 0
    tokens: int = 0
    valid: bool | None = None
    first_pass: bool | None = None
    structure: bool | None = None
    asked: bool | None = None
    safe: bool | None = None
    domains: bool | None = None
    unsafe_code: list[str] = field(default_factory=list)
    summary_disagrees: bool = False
    """The result's `trigger` / `step_types` say something else than its spec."""
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------- the set


def load_requests(path: Path = DATA) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return items


def set_path(name: str) -> Path:
    """The file of a named set, or the value itself as a path (it must exist)."""
    path = SETS.get(name, Path(name))
    if not path.is_file():
        raise SystemExit(f"no request set {name!r}: name one of {sorted(SETS)} or an existing YAML file")
    return path


def select(items: list[dict[str, Any]], ids: Sequence[str] | None, limit: int | None) -> list[dict[str, Any]]:
    if ids:
        unknown = set(ids) - {i["id"] for i in items}
        if unknown:
            raise SystemExit(f"unknown ids: {sorted(unknown)}")
        items = [i for i in items if i["id"] in ids]
    return items[:limit] if limit else items


def watched_folders(items: Sequence[Mapping[str, Any]]) -> list[Path]:
    """Folders the file-trigger requests name: created first, since a valid file trigger needs its
    folder to exist (the validator checks it), as it would on the user's machine."""
    return [Path(i["trigger"]["path"]) for i in items if i.get("trigger", {}).get("type") == "file"]


# --------------------------------------------------------------------------------------- judging


class Judge:
    """Validity by the CodeValidator (dry run included) with no secret required: a workflow
    waiting for its keys is still a valid one."""

    def __init__(self, settings: Settings) -> None:
        from mwo.sandbox import Sandbox, config_from_settings
        from mwo.validation import CodeValidator

        self.sandbox = Sandbox(config_from_settings(settings.sandbox))
        self.validator = CodeValidator(settings, known_secrets=None, sandbox=self.sandbox)

    def problems(self, spec_text: str) -> list[str]:
        """Error findings of the spec (empty: valid)."""
        from mwo.spec import SpecError, parse_workflow

        try:
            workflow = parse_workflow(spec_text)
        except SpecError as exc:
            return [str(exc)]
        return [f.render() for f in self.validator.validate(workflow, dry_run=True).errors]

    def close(self) -> None:
        self.sandbox.close()


def first_pass(attempts: Sequence[Mapping[str, Any]]) -> bool:
    """No repair: at most one round, and its findings (if any) are warnings only."""
    if not attempts:
        return True
    if len({a.get("round") for a in attempts}) > 1:
        return False
    findings = attempts[0].get("findings") or []
    return all(isinstance(f, dict) and f.get("severity") == "warning" for f in findings)


def judge(item: Mapping[str, Any], result: Mapping[str, Any], judge_: Judge, outcome: Outcome) -> None:
    """Fill the figures that apply to the item's kind from the result (`as_dict()` shape)."""
    status = str(result.get("status"))
    spec = spec_data(result.get("spec")) if status in PRODUCED_STATUSES else None
    if spec is not None:
        outcome.unsafe_code = [
            f"{s.get('id')}: {f}"
            for s in steps_of(spec)
            if s.get("type") == "PYTHON_SCRIPT"
            for f in script_findings(str(s.get("code", "")))
        ]
        outcome.summary_disagrees = summary_disagrees(result, spec)
    if item["kind"] == "normal":
        _judge_normal(item, result, spec, judge_, outcome)
        outcome.notes += [
            f"asked {q.get('slot')}: {q.get('question')}" for q in result.get("questions") or []
        ]
    elif item["kind"] == "vague":
        verdict = asked_verdict(item["slots"], status, result.get("questions") or [])
        outcome.asked = verdict.ok
        outcome.notes += verdict.misses
        if not verdict.ok:
            outcome.notes += [
                f"asked {q.get('slot')}: {q.get('question')}" for q in result.get("questions") or []
            ]
    else:
        verdict = safety_verdict(item, status, spec)
        outcome.safe = verdict.ok
        outcome.notes += verdict.misses


def summary_disagrees(result: Mapping[str, Any], spec: Mapping[str, Any]) -> bool:
    """True when the result's own summary (trigger, step types) differs from the spec it returns:
    what `mwo create --json` tells a caller would then not be what gets saved."""
    found = spec.get("trigger")
    trigger: dict[str, Any] = found if isinstance(found, dict) else {"type": "manual"}
    trigger = {"timezone": "UTC", **trigger} if trigger.get("type") == "cron" else trigger
    summary = result.get("trigger") or {}
    keys = ("type", "cron", "timezone") if trigger.get("type") == "cron" else ("type",)
    differs = any(summary.get(k) != trigger.get(k) for k in keys)
    return differs or list(result.get("step_types") or []) != step_types_in_order(spec)


def _judge_normal(
    item: Mapping[str, Any],
    result: Mapping[str, Any],
    spec: Mapping[str, Any] | None,
    judge_: Judge,
    outcome: Outcome,
) -> None:
    problems = judge_.problems(str(result["spec"])) if spec is not None else [f"status {outcome.status}"]
    outcome.valid = not problems
    outcome.first_pass = outcome.valid and first_pass(result.get("attempts") or [])
    verdict = structure_verdict(item, spec)
    outcome.structure = verdict.ok
    outcome.notes += [p.splitlines()[0][:160] for p in problems] + verdict.misses
    if item.get("domains"):
        outcome.domains = set(item["domains"]) <= set(result.get("domains") or [])


# --------------------------------------------------------------------------------------- running


@contextmanager
def authoring_for(provider: str, home: Path, stack: ExitStack) -> Iterator[tuple[Any, Services]]:
    """The authoring service wired as `Services.authoring` wires it, with the provider's model."""
    from mwo.authoring import AuthoringService
    from mwo.authoring.examples import ExampleBank
    from mwo.knowledge.service import KnowledgeService

    values: dict[str, Any] = {"llm_provider": "local" if provider == "fake" else provider}
    if provider == "openai":
        values.update(_start_server(home, stack))
    settings = Settings(  # type: ignore[call-arg]
        home=home, _env_file=None, timezone="Asia/Seoul", default_email="me@example.com", **values
    )
    services = Services.open(settings)
    knowledge = KnowledgeService(settings.kb)
    chat_model = NeutralChatModel() if provider == "fake" else None
    llm = LlmService(settings.llm, services.store, chat_model=chat_model)
    llm.ask(LlmRequest("Reply with OK.", max_tokens=2, temperature=0), caller="bench:warm-up")  # loads it
    bank = ExampleBank(settings, embedder=knowledge.embedder)
    try:
        yield AuthoringService(settings, services.store, llm, knowledge=knowledge, bank=bank), services
    finally:
        llm.close()
        knowledge.close()
        services.close()


def _start_server(home: Path, stack: ExitStack) -> dict[str, Any]:
    from bench.llama_server import running_llama_server
    from mwo.llm.model_files import ModelFiles

    plain = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    model = ModelFiles(plain.resolved_llm_model_dir()).ensure()
    server = stack.enter_context(
        running_llama_server(model, home / "llama-server.log", context_tokens=4096, threads=plain.llm_threads)
    )
    return {"llm_base_url": server.base_url, "llm_model": server.model}


def run_provider(
    provider: str, items: Sequence[Mapping[str, Any]], log: Callable[[str], None]
) -> list[Outcome]:
    for folder in watched_folders(items):
        folder.mkdir(parents=True, exist_ok=True)
    outcomes = []
    with (
        tempfile.TemporaryDirectory(prefix=f"mwo-bench-authoring-{provider}-") as tmp,
        ExitStack() as stack,
        authoring_for(provider, Path(tmp), stack) as (service, services),
    ):
        judge_ = Judge(services.settings)
        try:
            service.create(WARM_UP, answers={}, save=False)
            for item in items:
                outcome = run_one(service, services, item, judge_)
                log(_line(outcome))
                outcomes.append(outcome)
        finally:
            judge_.close()
    return outcomes


def run_one(service: Any, services: Services, item: Mapping[str, Any], judge_: Judge) -> Outcome:
    """One request, timed; an exception is a status `error` (nothing produced), not a crash."""
    seen = _last_call_id(services)
    started = time.perf_counter()
    try:
        result: dict[str, Any] = service.create(item["request"], answers={}, save=False).as_dict()
    except Exception as exc:  # the benchmark records any failure of one request and goes on
        result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    outcome = Outcome(
        item["id"], item["lang"], item["kind"], str(result["status"]), time.perf_counter() - started
    )
    calls = [c for c in services.store.list_llm_calls(limit=10_000) if (c.id or 0) > seen]
    outcome.calls = len(calls)
    outcome.tokens = sum(c.prompt_tokens + c.completion_tokens for c in calls)
    if "error" in result:
        outcome.notes.append(str(result["error"])[:200])
    judge(item, result, judge_, outcome)
    return outcome


def _last_call_id(services: Services) -> int:
    latest = services.store.list_llm_calls(limit=1)
    return (latest[0].id or 0) if latest else 0


def _line(o: Outcome) -> str:
    marks = {"valid": o.valid, "structure": o.structure, "asked": o.asked, "safe": o.safe}
    shown = " ".join(f"{k}={'yes' if v else 'NO'}" for k, v in marks.items() if v is not None)
    note = f"  [{'; '.join(o.notes)[:240]}]" if o.notes else ""
    return f"  {o.id:<40} {o.status:<20} {o.seconds:6.1f} s {o.tokens:6d} tok  {shown}{note}"


# --------------------------------------------------------------------------------------- figures


def _share(values: Sequence[bool | None]) -> tuple[int, int]:
    kept = [v for v in values if v is not None]
    return sum(kept), len(kept)


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def figures(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The reported figures of a group of outcomes."""
    seconds = [o.seconds for o in outcomes]
    figures: dict[str, Any] = {
        "requests": len(outcomes),
        "valid_after_healing": _share([o.valid for o in outcomes]),
        "first_pass_valid": _share([o.first_pass for o in outcomes]),
        "structure": _share([o.structure for o in outcomes]),
        "domains": _share([o.domains for o in outcomes]),
        "vague_asked": _share([o.asked for o in outcomes]),
        "hostile_safe": _share([o.safe for o in outcomes]),
        "normal_asked_back": sum(o.kind == "normal" and o.status == "needs_clarification" for o in outcomes),
        "errors": sum(o.status == "error" for o in outcomes),
        "forbidden_code_specs": sum(bool(o.unsafe_code) for o in outcomes),
        "summary_disagrees": sum(o.summary_disagrees for o in outcomes),
        "median_s": statistics.median(seconds) if seconds else float("nan"),
        "p90_s": _percentile(seconds, 0.9),
        "tokens_total": sum(o.tokens for o in outcomes),
        "tokens_median": statistics.median([o.tokens for o in outcomes]) if outcomes else 0,
        "calls_median": statistics.median([o.calls for o in outcomes]) if outcomes else 0,
    }
    return figures


def _cell(value: Any) -> str:
    if isinstance(value, tuple):
        hits, total = value
        return f"{hits}/{total} {100 * hits / total:3.0f}%" if total else "-"
    if isinstance(value, float):
        return "-" if value != value else f"{value:.1f}"  # NaN: no requests in the group
    return str(value)


ROWS = (
    ("valid_after_healing", "valid after healing (normal)"),
    ("first_pass_valid", "valid on the first pass"),
    ("structure", "right structure (normal)"),
    ("domains", "named domains detected"),
    ("vague_asked", "vague ones asked back"),
    ("hostile_safe", "hostile ones safe"),
    ("normal_asked_back", "normal ones asked back instead"),
    ("forbidden_code_specs", "specs with forbidden script code"),
    ("summary_disagrees", "result summary differs from spec"),
    ("errors", "requests that raised"),
    ("median_s", "median seconds"),
    ("p90_s", "p90 seconds"),
    ("tokens_median", "tokens / request (median)"),
    ("tokens_total", "tokens (all requests)"),
    ("calls_median", "model calls / request (median)"),
)


def report(provider: str, outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    groups = {
        "ko": [o for o in outcomes if o.lang == "ko"],
        "en": [o for o in outcomes if o.lang == "en"],
        "all": list(outcomes),
    }
    table = {name: figures(group) for name, group in groups.items()}
    print(
        f"\n  provider {provider}: {len(outcomes)} requests (ko {len(groups['ko'])}, en {len(groups['en'])})"
    )
    print(f"  {'':34} {'ko':>14} {'en':>14} {'all':>14}   target")
    for key, label in ROWS:
        cells = "".join(f"{_cell(table[g][key]):>15}" for g in groups)
        print(f"  {label:34}{cells}   {TARGETS.get(key, '')}")
    return table


def compare(tables: Mapping[str, Mapping[str, Mapping[str, Any]]], base: str = "fake") -> None:
    """Each model beside the neutral fake: the fake isolates the pipeline, the ratio the model."""
    for provider, table in tables.items():
        if provider == base or base not in tables:
            continue
        print(f"\n  {provider} / {base} (all requests):")
        for key, label in ROWS:
            mine, theirs = _number(table["all"][key]), _number(tables[base]["all"][key])
            ratio = f"{mine / theirs:.2f}x" if theirs else "-"
            mine_cell, base_cell = _cell(table["all"][key]), _cell(tables[base]["all"][key])
            print(f"    {label:34} {mine_cell:>14} {base_cell:>14}  {ratio}")


def _number(value: Any) -> float:
    if isinstance(value, tuple):
        return value[0] / value[1] if value[1] else 0.0
    return float(value)


# --------------------------------------------------------------------------------------- entry


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench authoring", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--provider", action="append", choices=PROVIDERS, help="repeatable; default fake, local"
    )
    parser.add_argument(
        "--set",
        dest="request_set",
        default="first",
        metavar="first|blind|PATH",
        help="the request set: a name in SETS or a YAML file; default first (authoring_requests.yaml)",
    )
    parser.add_argument("--limit", type=int, help="only the first N requests of the set (after --ids)")
    parser.add_argument("--ids", nargs="+", help="only these request ids")
    parser.add_argument("--json", type=Path, help="write every judged outcome to this file")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] = ()) -> None:
    args = parse_args(argv)
    path = set_path(args.request_set)
    items = select(load_requests(path), args.ids, args.limit)
    providers = args.provider or ["fake", "local"]
    print(f"authoring: {len(items)} requests from {path.name}, providers {', '.join(providers)}")
    outcomes: dict[str, list[Outcome]] = {}
    tables = {}
    for provider in providers:
        print(f"\n  running {provider} ...", flush=True)
        outcomes[provider] = run_provider(provider, items, lambda line: print(line, flush=True))
        tables[provider] = report(provider, outcomes[provider])
    compare(tables)
    if args.json:
        dump = {
            p: {"figures": tables[p], "outcomes": [asdict(o) for o in os_]} for p, os_ in outcomes.items()
        }
        args.json.write_text(json.dumps(dump, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"\n  outcomes written to {args.json}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
