"""The CLI starts in a blink because each command imports what it needs when it runs: building every
command and printing `mwo --help` (or `--version`) imports none of the heavy libraries and none of
MWO's own heavy packages. Checked by what is in `sys.modules` afterwards, not by timing (timing is
`python -m bench cli`). Ctrl-C while a command's modules load still ends it as interrupted (130)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mwo.cli.option_values import WEBHOOK_GRACE_S, RunStatusChoice, TokenScopeChoice
from mwo.store.records import RunStatus, TokenScope
from mwo.triggers.webhooks import ROTATION_GRACE

HEAVY = (
    # libraries: ORM and migrations, graph engine, models, HTTP, web, validation, parsing, crypto
    "sqlalchemy",
    "alembic",
    "langgraph",
    "langchain_core",
    "llama_cpp",
    "numpy",
    "chromadb",
    "httpx",
    "requests",
    "fastapi",
    "starlette",
    "uvicorn",
    "streamlit",
    "celery",
    "pydantic",
    "pydantic_settings",
    "yaml",
    "jinja2",
    "croniter",
    "cryptography",
    # MWO's own packages behind them
    "mwo.settings",
    "mwo.services",
    "mwo.store",
    "mwo.spec",
    "mwo.engine",
    "mwo.validation",
    "mwo.llm",
    "mwo.authoring",
    "mwo.knowledge",
    "mwo.healing",
    "mwo.sandbox",
    "mwo.triggers",
    "mwo.workers",
    "mwo.api",
    "mwo.ui",
    "mwo.management",
    "mwo.auth",
)

# Runs `mwo ARGS` in-process the way the console script does, then writes the exit code and the
# loaded modules to the file named by MWO_TEST_REPORT.
_RUN_AND_REPORT = """
import json, os, sys
sys.argv = ["mwo", *sys.argv[1:]]
code = 0
try:
    from mwo.cli import main
    main()
except SystemExit as exc:
    code = exc.code
with open(os.environ["MWO_TEST_REPORT"], "w") as report:
    json.dump({"code": code, "modules": sorted(sys.modules)}, report)
"""


def _run(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    report = tmp_path / "report.json"
    env = {**os.environ, "MWO_HOME": str(tmp_path / "home"), "MWO_TEST_REPORT": str(report)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_REPORT, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    return data["code"], set(data["modules"]), done.stdout


def _heavy_loaded(modules: set[str], allowed: frozenset[str] = frozenset()) -> list[str]:
    heavy = [h for h in HEAVY if h not in allowed]
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


@pytest.mark.parametrize("args", [["--help"], ["--version"]], ids=" ".join)
def test_help_and_version_import_no_heavy_module(tmp_path: Path, args: list[str]) -> None:
    code, modules, out = _run(tmp_path, *args)
    assert code == 0
    assert out.strip()  # it did print the help or the version
    assert "mwo.cli.runs" in modules  # every command was built: the check below means something
    assert _heavy_loaded(modules) == []


@pytest.mark.parametrize(
    "args", [["runs", "--help"], ["tokens", "create", "--help"], ["kb", "--help"]], ids=" ".join
)
def test_a_command_help_imports_no_heavy_module_but_typers_pydantic(tmp_path: Path, args: list[str]) -> None:
    """Typer itself coerces a command's parameters with pydantic, so a command pays pydantic."""
    code, modules, out = _run(tmp_path, *args)
    assert code == 0
    assert "Usage: mwo" in out
    assert _heavy_loaded(modules, allowed=frozenset({"pydantic"})) == []


def test_the_help_lists_every_command(tmp_path: Path) -> None:
    _, _, out = _run(tmp_path, "--help")
    for name in ("list", "run", "runs", "approve", "cancel", "create", "doctor", "serve", "kb", "llm"):
        assert f" {name} " in out


def test_a_store_command_loads_the_store_but_not_the_engine_or_the_models(tmp_path: Path) -> None:
    """`mwo list` needs the store (SQLAlchemy): it gets it, and nothing that only runs need."""
    code, modules, out = _run(tmp_path, "list", "--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "workflows": []}
    assert "sqlalchemy" in modules
    for absent in ("langgraph", "llama_cpp", "numpy", "chromadb", "mwo.engine.runs", "mwo.authoring"):
        assert absent not in modules


def test_a_command_that_needs_no_store_does_not_load_it(tmp_path: Path) -> None:
    """`mwo schedule preview --cron` computes fires from the expression alone."""
    args = ["schedule", "preview", "--cron", "0 9 * * *", "--count", "2", "--json"]
    code, modules, out = _run(tmp_path, *args)
    assert code == 0
    assert len(json.loads(out)["fires"]) == 2
    assert _heavy_loaded(modules, allowed=frozenset({"pydantic", "croniter", "mwo.triggers"})) == []


def test_option_values_spelled_in_the_cli_equal_their_sources() -> None:
    assert [c.value for c in RunStatusChoice] == [s.value for s in RunStatus]
    assert [c.value for c in TokenScopeChoice] == [s.value for s in TokenScope]
    assert ROTATION_GRACE.total_seconds() == WEBHOOK_GRACE_S


# Makes the import of MODULE raise KeyboardInterrupt, as Ctrl-C pressed while it loads does.
_CTRL_C_WHILE_IMPORTING = """
import sys
target = sys.argv.pop(1)

class CtrlC:
    def find_spec(self, name, path=None, target_=None):
        if name == target:
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv[0] = "mwo"
from mwo.cli import main
main()
"""


@pytest.mark.parametrize(
    "module, args",
    [
        ("mwo.cli.runs", ["--help"]),  # while the commands are built
        ("mwo.services", ["list", "--json"]),  # while a command loads what it needs
    ],
)
def test_ctrl_c_while_modules_load_exits_130_without_a_traceback(
    tmp_path: Path, module: str, args: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_WHILE_IMPORTING, module, *args],
        env={**os.environ, "MWO_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
