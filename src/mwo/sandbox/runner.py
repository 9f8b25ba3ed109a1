"""Run one script in the best sandbox this host offers: the public entry point of the package.

A Sandbox is built once (per executor, per CLI command) from settings; it learns the interpreter's
paths and the host's isolation mode on first use, keeps a warm pool for the common case (no
network), and turns each process's answer into a SandboxResult with a typed error. A step with the
network gets a sandbox started for it, with an egress proxy of its own for the length of the run.
"""

from __future__ import annotations

import json
import marshal
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from mwo.sandbox import bwrap as cmd
from mwo.sandbox.egress import REFUSAL_MARKER, SANDBOX_DIR, SOCKET_NAME, EgressProxy, Refusal, refuse_all
from mwo.sandbox.errors import ErrorType, SandboxError, SandboxUnavailable
from mwo.sandbox.interpreter import Interpreter, default_python, inspect_interpreter
from mwo.sandbox.policy import NOBODY, Limits, NetAccess
from mwo.sandbox.pool import WarmPool
from mwo.sandbox.probe import PROBE_SCRIPT, Isolation, find_bwrap, probe_namespaces
from mwo.sandbox.process import Exchange, exchange, spawn
from mwo.sandbox.seccomp import no_new_processes_filter


class SandboxSettings(Protocol):
    """The settings a sandbox is built from: MWO's `Settings.sandbox` view (the MWO_SANDBOX_* fields)
    has this shape. Declared here so the package does not import `mwo.settings`."""

    @property
    def python(self) -> Path | None:
        """The interpreter; None: `default_python()`."""

    @property
    def packages_dir(self) -> Path | None:
        """The allow-listed packages shown read-only to scripts; None: standard library only."""

    @property
    def require_isolation(self) -> bool:
        """Refuse to run when the host cannot give namespace isolation."""

    @property
    def pool_size(self) -> int:
        """Warm sandboxes kept started (0: start each on demand)."""

    @property
    def max_output_mb(self) -> int:
        """Largest result plus printed output of one script."""


_SIGNAL_EXIT = 128
"""bubblewrap exits with 128 + n when the script was killed by signal n."""
_EGRESS_SOCKET = f"{SANDBOX_DIR}/{SOCKET_NAME}"
_REFUSED_HINT = (
    "reach only public addresses, or add the host (or its address or network) to "
    "settings.network.allow in the workflow if this internal address is intended"
)


@dataclass(frozen=True)
class SandboxConfig:
    """How to build sandboxes on this host (from Settings, or by hand in tests)."""

    python: Path = field(default_factory=default_python)
    packages: Path | None = None
    """A directory of allow-listed packages (pip --target layout), shown read-only to scripts."""
    require_isolation: bool = False
    pool_size: int = 2
    bwrap: str | None = field(default_factory=find_bwrap)


@dataclass(frozen=True)
class SandboxResult:
    """One run: the output dict, or the error; what the script printed; how long; warnings to log."""

    output: dict[str, Any] | None
    error: SandboxError | None
    seconds: float
    log: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def config_from_settings(settings: SandboxSettings) -> SandboxConfig:
    """The sandbox MWO's settings describe (`Settings.sandbox`, MWO_SANDBOX_*)."""
    return SandboxConfig(
        python=settings.python or default_python(),
        packages=settings.packages_dir,
        require_isolation=settings.require_isolation,
        pool_size=settings.pool_size,
    )


def limits_for(settings: SandboxSettings, timeout_s: float, memory_mb: int) -> Limits:
    """A step's limits: its own time and memory, the installation's output cap."""
    return Limits(
        timeout_s=timeout_s,
        memory_mb=memory_mb,
        max_output_bytes=settings.max_output_mb * 1024 * 1024,
    )


class Sandbox:
    """Runs scripts, each in a fresh process; thread-safe; `close` ends the warm pool."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._lock = threading.Lock()
        self._pool: WarmPool | None = None
        self._closed = False

    @cached_property
    def harness(self) -> str:
        return (Path(__file__).parent / "harness.py").read_text(encoding="utf-8")

    @cached_property
    def forwarder(self) -> str:
        """forwarder.py's source, sent with the request of a step with the network (see harness.py)."""
        return (Path(__file__).parent / "forwarder.py").read_text(encoding="utf-8")

    @cached_property
    def interpreter(self) -> Interpreter:
        return inspect_interpreter(self.config.python)

    @cached_property
    def isolation(self) -> Isolation:
        """This host's mode, found by starting one sandbox (cached for the Sandbox's life)."""
        return probe_namespaces(self.config.bwrap, self._try_namespaces)

    def run(
        self,
        code: str,
        inputs: Any = None,
        secrets: dict[str, str] | None = None,
        limits: Limits | None = None,
        net: NetAccess | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> SandboxResult:
        """Run `code`'s main(inputs[, secrets]) in a fresh sandboxed process; never raises for script faults.

        Raises SandboxUnavailable when the settings require isolation and the host has none.
        """
        limits = limits or Limits()
        net = net or NetAccess()
        isolation = self.isolation
        warnings: tuple[str, ...] = ()
        if not isolation.isolated:
            if self.config.require_isolation:
                raise SandboxUnavailable(
                    f"refusing to run the script without isolation: {isolation.detail}",
                    f"{isolation.fix}; or set MWO_SANDBOX_REQUIRE_ISOLATION=false to accept rlimits only",
                )
            warnings = (f"sandbox without namespace isolation: {isolation.detail}",)
            if net.enabled:
                warnings += (
                    "no egress proxy without namespaces: the script shares the host's network, checked "
                    "only by an in-process hook (addresses and CIDRs of settings.network.allow only)",
                )
        request = self._request(code, inputs, secrets or {}, limits, net)
        refusals: tuple[Refusal, ...] = ()
        if isolation.isolated and net.enabled:
            answer, refusals = self._networked(request, limits, net, cancelled)
        elif isolation.isolated:
            process = self._namespaced()
            answer = exchange(process, request, limits.timeout_s, limits.max_output_bytes, cancelled)
        else:
            answer = self._unisolated(request, limits, cancelled)
        return _result(answer, limits, warnings, refusals)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def _request(
        self, code: str, inputs: Any, secrets: dict[str, str], limits: Limits, net: NetAccess
    ) -> bytes:
        packages = None
        if self.config.packages is not None:
            isolated = self.isolation.isolated
            packages = cmd.PACKAGES_DIR if isolated else str(self.config.packages)
        proxied = net.enabled and self.isolation.isolated
        payload = {
            "code": code,
            "inputs": inputs,
            "secrets": secrets,
            "limits": limits.as_json() if os.geteuid() == 0 else {**limits.as_json(), "max_processes": None},
            "net": {
                "enabled": net.enabled,
                "allowed_networks": list(net.allowed_networks),
                "proxy": _EGRESS_SOCKET if proxied else None,
                "forwarder": self.forwarder if proxied else None,
            },
            "packages": packages,
        }
        return _marshal(payload)

    def _start(self, egress: Path | None = None) -> subprocess.Popen[bytes]:
        """Start one namespaced sandbox; its seccomp filter goes to bubblewrap through a pipe."""
        assert self.config.bwrap is not None
        program = no_new_processes_filter()
        if program is None:
            argv = cmd.bwrap_argv(
                self.config.bwrap, self.interpreter, self.harness, Limits(), egress=egress,
                packages=self.config.packages,
            )  # fmt: skip
            return spawn(argv, env={})
        read_end, write_end = os.pipe()
        try:
            os.write(write_end, program)  # a few hundred bytes: never blocks on a fresh pipe
            os.close(write_end)
            argv = cmd.bwrap_argv(
                self.config.bwrap, self.interpreter, self.harness, Limits(), egress=egress,
                packages=self.config.packages, seccomp_fd=read_end,
            )  # fmt: skip
            return spawn(argv, env={}, pass_fds=(read_end,))
        finally:
            os.close(read_end)

    def _networked(
        self, request: bytes, limits: Limits, net: NetAccess, cancelled: Callable[[], bool]
    ) -> tuple[Exchange, tuple[Refusal, ...]]:
        """A sandbox started now, whose one way out is an egress proxy that lives as long as the run."""
        with EgressProxy(net.gate or refuse_all) as proxy:
            process = self._start(proxy.directory)
            answer = exchange(process, request, limits.timeout_s, limits.max_output_bytes, cancelled)
        return answer, proxy.refusals

    def _namespaced(self) -> subprocess.Popen[bytes]:
        """A fresh sandbox without the network, from the warm pool."""
        with self._lock:
            if self._pool is None and not self._closed and self.config.pool_size > 0:
                fillers = os.cpu_count() or 1
                self._pool = WarmPool(self._start, self.config.pool_size, fillers)
            pool = self._pool
        return pool.take() if pool is not None else self._start()

    def _unisolated(self, request: bytes, limits: Limits, cancelled: Callable[[], bool]) -> Exchange:
        """The fallback: the same harness and rlimits, a clean env and a private temp dir; no namespaces."""
        work = tempfile.mkdtemp(prefix="mwo-sandbox-")
        try:
            if os.geteuid() == 0:
                os.chown(work, NOBODY, NOBODY)
            env = {**cmd.minimal_env(), "HOME": work, "TMPDIR": work}
            process = spawn(cmd.python_argv(self.interpreter.executable, self.harness), env, cwd=work)
            return exchange(process, request, limits.timeout_s, limits.max_output_bytes, cancelled)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _try_namespaces(self) -> str | None:
        try:
            process = self._start()
        except OSError as exc:
            return str(exc)
        request = self._probe_request()
        answer = exchange(process, request, 30.0, 1024 * 1024)
        reply = _reply(answer.stdout)
        if reply is not None and reply.get("ok") is True:  # the harness ran PROBE_SCRIPT
            return None
        text = answer.stderr.decode(errors="replace").strip() or f"exit status {answer.returncode}"
        return text.splitlines()[-1][:200]

    def _probe_request(self) -> bytes:
        limits = {**Limits().as_json(), "max_processes": None}
        return _marshal({"code": PROBE_SCRIPT, "inputs": {}, "limits": limits, "net": {}})


def _marshal(payload: dict[str, Any]) -> bytes:
    """The request as marshal data (the harness's cheap decoder); values marshal cannot hold (dates,
    decimals) go through JSON first, becoming text as they would in a JSON request."""
    try:
        return marshal.dumps(payload, 4)
    except ValueError:
        return marshal.dumps(json.loads(json.dumps(payload, default=str)), 4)


def _result(
    answer: Exchange, limits: Limits, warnings: tuple[str, ...], refusals: tuple[Refusal, ...] = ()
) -> SandboxResult:
    log = answer.stderr.decode("utf-8", errors="replace")
    seconds = answer.seconds
    reply = _reply(answer.stdout)
    warnings += tuple(refusal.describe() for refusal in refusals)
    if answer.cancelled:
        error = SandboxError(ErrorType.CANCELLED, "the script was stopped: the run was cancelled")
    elif answer.timed_out:
        error = SandboxError(ErrorType.TIMEOUT, f"the script ran longer than {limits.timeout_s:g} s")
    elif answer.overflowed:
        error = SandboxError(
            ErrorType.BAD_OUTPUT,
            f"the script wrote more than {limits.max_output_bytes} bytes (result and prints together)",
            "return less data, print less, or write large data to a file in the work dir and summarise it",
        )
    elif reply is None:
        error = _died(answer, limits, log)
    elif reply.get("ok") is True and isinstance(reply.get("output"), dict):
        return SandboxResult(reply["output"], None, seconds, log, warnings)
    else:
        error = _refused(_reply_error(reply), refusals)
    return SandboxResult(None, error, seconds, log, warnings)


def _refused(error: SandboxError, refusals: tuple[Refusal, ...]) -> SandboxError:
    """A script that failed on the proxy's refusal (its 403 in the error) failed by a violation."""
    if not refusals or error.type is not ErrorType.EXCEPTION:
        return error
    if REFUSAL_MARKER not in error.message and REFUSAL_MARKER not in error.traceback:
        return error
    missing = [refusal.describe() for refusal in refusals if refusal.reason not in error.message]
    message = "\n".join([error.message, *missing])
    return SandboxError(ErrorType.VIOLATION, message, _REFUSED_HINT, error.traceback)


def _reply(stdout: bytes) -> dict[str, Any] | None:
    try:
        reply = json.loads(stdout.decode("utf-8", errors="strict") or "null")
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def _reply_error(reply: dict[str, Any]) -> SandboxError:
    error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    assert isinstance(error, dict)
    try:
        type_ = ErrorType(error.get("type"))
    except ValueError:
        type_ = ErrorType.BAD_OUTPUT
    return SandboxError(
        type_, str(error.get("message") or "the script failed"), None, str(error.get("traceback") or "")
    )


def _died(answer: Exchange, limits: Limits, log: str) -> SandboxError:
    """No reply: the interpreter was killed or could not start; name the likely cause."""
    code = answer.returncode or 0
    number = -code if code < 0 else code - _SIGNAL_EXIT if code > _SIGNAL_EXIT else 0
    if number == signal.SIGXCPU:
        return SandboxError(
            ErrorType.TIMEOUT, f"the script used more than {limits.timeout_s:g} s of CPU time"
        )
    if number == signal.SIGKILL:
        return SandboxError(
            ErrorType.MEMORY, f"the script was killed, most likely out of memory ({limits.memory_mb} MB)"
        )
    tail = log.strip().splitlines()[-1] if log.strip() else ""
    if code != 0 and tail.startswith("bwrap:"):
        return SandboxUnavailable(f"the sandbox could not start: {tail}", "run `mwo doctor`")
    detail = (
        f"signal {signal.Signals(number).name}"
        if number in signal.valid_signals() and number
        else f"exit status {code}"
    )
    message = f"the script's process ended without a result ({detail})"
    return SandboxError(ErrorType.CRASHED, f"{message}: {tail}" if tail else message)
