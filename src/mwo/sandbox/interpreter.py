"""The Python interpreter scripts run with, and the host paths it needs to start.

The sandbox does not bind the whole of /usr: only the interpreter, its standard library and the
shared-library directories, so a script finds no shell, no compilers and no other programs. Those
paths are asked of the interpreter itself, once per Sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mwo.sandbox.errors import SandboxUnavailable

_ASK = (
    "import json, sys, sysconfig; print(json.dumps({'executable': sys.executable, "
    "'stdlib': sysconfig.get_path('stdlib'), 'platstdlib': sysconfig.get_path('platstdlib'), "
    "'libdir': sysconfig.get_config_var('LIBDIR'), 'multiarch': sysconfig.get_config_var('MULTIARCH'), "
    "'version': '%d.%d' % sys.version_info[:2]}))"
)


@dataclass(frozen=True)
class Interpreter:
    """A Python interpreter on the host and the directories it reads while starting."""

    executable: Path
    version: str
    read_paths: tuple[Path, ...]
    """Directories (and the executable) to show read-only inside the sandbox."""


def default_python() -> Path:
    """The system Python when there is one (readable by the unprivileged uid), else our own base one."""
    system = Path("/usr/bin/python3")
    if system.exists():
        return system
    return Path(getattr(sys, "_base_executable", sys.executable))


def inspect_interpreter(python: Path) -> Interpreter:
    """Ask `python` where its files are; SandboxUnavailable when it cannot be started."""
    try:
        done = subprocess.run(
            [str(python), "-I", "-S", "-c", _ASK], capture_output=True, text=True, timeout=30, env={}
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(
            f"the sandbox interpreter {python} cannot start: {exc}",
            "set MWO_SANDBOX_PYTHON to a Python 3 interpreter (default /usr/bin/python3)",
        ) from exc
    if done.returncode != 0:
        raise SandboxUnavailable(
            f"the sandbox interpreter {python} failed: {done.stderr.strip()[-300:]}",
            "set MWO_SANDBOX_PYTHON to a working Python 3 interpreter",
        )
    facts = json.loads(done.stdout)
    executable = Path(os.path.realpath(facts["executable"]))
    candidates = [executable, Path(facts["stdlib"]), Path(facts["platstdlib"])]
    libdir = Path(facts["libdir"] or "/usr/lib")
    if not libdir.is_relative_to("/usr"):
        # a Python built under its own prefix (pyenv, /opt/python) keeps libpython in its LIBDIR
        candidates.append(libdir)
    if facts["multiarch"]:
        candidates.extend(Path(root) / facts["multiarch"] for root in ("/usr/lib", "/lib"))
    candidates.extend(Path(p) for p in ("/usr/lib64", "/lib64", "/usr/share/zoneinfo"))
    paths: list[Path] = []
    for candidate in candidates:
        real = Path(os.path.realpath(candidate))
        if real.exists() and real not in paths:
            paths.append(real)
    return Interpreter(executable, facts["version"], tuple(paths))
