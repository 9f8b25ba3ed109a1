"""`mwo doctor`: what works on this machine, checked for real, each problem with its fix."""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from mwo.cli.context import reporting_errors
from mwo.cli.output import console, print_json

if TYPE_CHECKING:
    from mwo.services import Services
    from mwo.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def doctor(as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False) -> None:
    """Check the database, secrets key, checkpoints, step executors, sandbox, model and SMTP."""
    from mwo.services import Services
    from mwo.settings import Settings

    with reporting_errors(as_json):
        settings = Settings()
    checks: list[Check] = []
    try:
        s = Services.open(settings)
    except Exception as exc:  # doctor reports every failure instead of stopping at the first
        checks.append(
            Check(
                "database",
                False,
                f"{type(exc).__name__}: {exc}",
                "check MWO_DATABASE_URL / MWO_HOME and file permissions",
            )
        )
    else:
        try:
            checks.extend(_service_checks(s))
        finally:
            s.close()
    checks.extend(_host_checks(settings))
    healthy = all(c.ok for c in checks if c.name in ("database", "secrets key", "checkpoints"))
    if as_json:
        print_json({"ok": healthy, "checks": checks})
    else:
        table = Table("check", "ok", "detail", "fix")
        for c in checks:
            table.add_row(c.name, "[green]yes[/]" if c.ok else "[red]no[/]", c.detail, c.fix)
        console.print(table)
    if not healthy:
        raise typer.Exit(1)


def _checkpoints_check(s: Services, url: str) -> Check:
    """Opens the checkpointer for real (tables created), where runs continue from after a crash."""
    try:
        backend = s.checkpoints.backend
    except Exception as exc:  # any failure to open is what this check reports
        return Check(
            "checkpoints",
            False,
            f"cannot open: {type(exc).__name__}: {exc}",
            "check MWO_DATABASE_URL (checkpoints live in the store's database); on SQLite, an older "
            "install's MWO_CHECKPOINT_PATH file is moved in at the first start",
        )
    where = _redact_url(url) if backend == "postgresql" else str(s.settings.resolved_checkpoint_path())
    return Check("checkpoints", True, f"{backend}: {where}")


def _service_checks(s: Services) -> list[Check]:
    from mwo.spec import StepType

    checks = []
    url = s.settings.resolved_database_url()
    count = len(s.store.list_workflows())
    checks.append(Check("database", True, f"{_redact_url(url)} ({count} workflows)"))
    names = s.store.list_secret_names()
    checks.append(Check("secrets key", True, f"{len(names)} secret(s) readable"))
    checks.append(_checkpoints_check(s, url))
    supported = s.registry.supported()
    for step_type in StepType:
        ok = step_type in supported
        checks.append(
            Check(
                f"step {step_type.value}",
                ok,
                "ready" if ok else "not installed yet",
                "" if ok else "arrives with its component (sandbox / LLM layer)",
            )
        )
    return checks


def _host_checks(settings: Settings) -> list[Check]:
    checks = [
        _sandbox_check(settings),
        _model_check(settings),
        _ocr_check(),
    ]
    try:
        with socket.create_connection((settings.smtp_host, settings.smtp_port), timeout=1.0):
            checks.append(Check("smtp", True, f"{settings.smtp_host}:{settings.smtp_port} reachable"))
    except OSError as exc:
        checks.append(
            Check(
                "smtp",
                False,
                f"{settings.smtp_host}:{settings.smtp_port}: {exc.strerror or exc}",
                "set MWO_SMTP_HOST / MWO_SMTP_PORT for email notifications",
            )
        )
    return checks


def _ocr_check() -> Check:
    """Korean OCR for the knowledge base: tesseract with the `kor` language data."""
    binary = shutil.which("tesseract")
    fix = "run `make setup` (installs tesseract-ocr tesseract-ocr-kor) or apt-get install them"
    if binary is None:
        return Check("ocr", False, "tesseract not found: scanned PDFs and images cannot be ingested", fix)
    listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=10, check=False)
    languages = set(listed.stdout.split())
    if "kor" not in languages:
        return Check("ocr", False, f"tesseract at {binary} has no Korean (kor) data", fix)
    return Check("ocr", True, f"tesseract at {binary} with kor+eng")


def _sandbox_check(settings: Settings) -> Check:
    """The isolation PYTHON_SCRIPT steps really get here: one sandbox started, not the binary looked up."""
    from mwo.sandbox import Sandbox, SandboxUnavailable, config_from_settings

    sandbox = Sandbox(config_from_settings(settings.sandbox))
    try:
        isolation = sandbox.isolation
        python = f"; python {sandbox.interpreter.version} at {sandbox.interpreter.executable}"
    except SandboxUnavailable as exc:
        return Check("sandbox", False, exc.message, exc.hint)
    finally:
        sandbox.close()
    extra = _packages_note(settings.sandbox_packages_dir, Path.cwd() / ".sandbox-packages")
    detail = f"{isolation.mode.value}: {isolation.detail}{python}{extra}"
    if isolation.isolated:
        return Check("sandbox", True, detail)
    refuses = settings.sandbox_require_isolation
    note = " (PYTHON_SCRIPT steps refuse to run: MWO_SANDBOX_REQUIRE_ISOLATION)" if refuses else ""
    return Check("sandbox", False, detail + note, isolation.fix)


def _packages_note(packages: Path | None, built_here: Path) -> str:
    """Which packages scripts get; when `make sandbox-packages` built them here but they are not
    used, how to use them."""
    if packages:
        return f"; packages from {packages}"
    if built_here.is_dir():
        return (
            f"; standard library only: the packages built in {built_here} are not used until you set "
            f"MWO_SANDBOX_PACKAGES_DIR={built_here.resolve()} (environment or .env)"
        )
    return (
        "; standard library only (build packages with `make sandbox-packages`, then set "
        "MWO_SANDBOX_PACKAGES_DIR)"
    )


def _redact_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _model_check(settings: Settings) -> Check:
    """The language model as configured: for the local one, llama.cpp, the parts and the file."""
    import importlib.util

    from mwo.llm.errors import LlmError
    from mwo.llm.model_files import ModelFiles, part_paths

    if settings.llm_provider == "openai":
        ok = bool(settings.llm_base_url and settings.llm_model)
        detail = f"OpenAI-compatible: {settings.llm_base_url or 'no base URL'}, model {settings.llm_model}"
        return Check("language model", ok, detail, "" if ok else "set MWO_LLM_BASE_URL and MWO_LLM_MODEL")
    if settings.llm_provider == "fake":
        return Check("language model", False, "the scripted fake (tests only)", "unset MWO_LLM_PROVIDER")
    if importlib.util.find_spec("llama_cpp") is None:
        return Check("local model", False, "llama-cpp-python is not installed", "run `make setup`")
    files = ModelFiles(settings.resolved_llm_model_dir())
    state = files.status()
    if state.verified:
        return Check("local model", True, f"{state.path} ({state.size / 1e9:.2f} GB, sha256 verified)")
    try:
        part_paths()
    except LlmError as exc:
        return Check("local model", False, exc.message, exc.fix)
    if state.exists:
        return Check("local model", False, f"{state.path} is not verified (changed?)", "run `mwo llm pull`")
    return Check(
        "local model",
        False,
        "parts installed, not assembled yet (happens on first use, ~10 s)",
        "run `mwo llm pull` to do it now",
    )
