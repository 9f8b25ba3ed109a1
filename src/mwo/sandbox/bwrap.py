"""The bubblewrap command line of one sandbox: namespaces, a minimal read-only file system, a tmpfs work dir.

What the script sees: `/work` (its private tmpfs, the current directory, also $HOME and $TMPDIR; /tmp
points there), the interpreter and its standard library, the shared libraries, the allow-listed
packages at /opt/mwo/packages, a private /proc and a minimal /dev; from /etc only ld.so.cache and
localtime, plus the CA certificates TLS needs when the step may use the network. Nothing else of
the host: no home directories, no MWO database, no /etc/shadow, no shell. The tmpfs mounts are
sized: their pages are host memory that RLIMIT_AS does not count.

Namespaces: `--unshare-all` (user, pid, net, ipc, uts, cgroup), for every step. `--die-with-parent`
ties the sandbox to the thread that started it; `--new-session` stops a script from pushing
keystrokes into our terminal (TIOCSTI); `--seccomp` installs the no-new-processes filter (seccomp.py).

A step with the network does not share the host's network namespace either: its namespace has a
loopback device and no route. The egress proxy's directory is bind-mounted read-only at
/run/mwo-egress, and its Unix socket is the one way out (egress.py); the SSRF rule is applied there,
on the host side, where nothing the script does in its own process can reach it.
"""

from __future__ import annotations

import os
from pathlib import Path

from mwo.sandbox.egress import SANDBOX_DIR as EGRESS_DIR
from mwo.sandbox.interpreter import Interpreter
from mwo.sandbox.policy import NOBODY, Limits

WORK_DIR = "/work"
PACKAGES_DIR = "/opt/mwo/packages"
_ALWAYS_ETC = ("/etc/ld.so.cache", "/etc/localtime")
_NETWORK_ETC = (
    "/etc/ssl",
    "/etc/ca-certificates",
    "/usr/share/ca-certificates",
)
_TOP_LINKS = ("/bin", "/lib", "/lib64", "/sbin")
_SHM_BYTES = 1024 * 1024
"""bubblewrap's /dev/shm is an unsized tmpfs, i.e. host memory outside RLIMIT_AS: replaced by a small one."""


def minimal_env() -> dict[str, str]:
    """The whole environment of a script: nothing from the host, never a secret."""
    return {
        "PATH": "/usr/bin",
        "HOME": WORK_DIR,
        "TMPDIR": WORK_DIR,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }


def python_argv(executable: Path | str, harness_source: str) -> list[str]:
    """The interpreter's own flags: isolated mode, no site-packages, no .pyc writes, UTF-8 I/O."""
    return [str(executable), "-I", "-S", "-B", "-X", "utf8", "-c", harness_source]


def bwrap_argv(
    bwrap: str,
    interpreter: Interpreter,
    harness_source: str,
    limits: Limits,
    *,
    egress: Path | None = None,
    packages: Path | None = None,
    seccomp_fd: int | None = None,
) -> list[str]:
    """The full command line: bwrap options, then the interpreter running the harness.

    `egress`: the egress proxy's directory, for a step that may use the network (see egress.py).
    """
    argv = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--uid", str(NOBODY),
        "--gid", str(NOBODY),
        "--hostname", "sandbox",
        "--clearenv",
    ]  # fmt: skip
    for name, value in minimal_env().items():
        argv += ["--setenv", name, value]
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(_SHM_BYTES), "--tmpfs", "/dev/shm"]
    argv += _top_level_links()
    for path in interpreter.read_paths:
        argv += ["--ro-bind", str(path), str(path)]
    for name in (*_ALWAYS_ETC, *(_NETWORK_ETC if egress is not None else ())):
        if os.path.exists(name):
            argv += ["--ro-bind", name, name]
    if egress is not None:
        argv += ["--ro-bind", str(egress), EGRESS_DIR]
    if packages is not None:
        argv += ["--ro-bind", str(packages), PACKAGES_DIR]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    argv += ["--size", str(limits.work_dir_mb * 1024 * 1024), "--tmpfs", WORK_DIR]
    argv += ["--symlink", WORK_DIR, "/tmp", "--chdir", WORK_DIR, "--remount-ro", "/"]
    return argv + python_argv(interpreter.executable, harness_source)


def _top_level_links() -> list[str]:
    """/bin, /lib, /lib64 as the host has them: symlinks into /usr on merged-/usr systems."""
    argv: list[str] = []
    for name in _TOP_LINKS:
        if os.path.islink(name):
            argv += ["--symlink", os.readlink(name), name]
    return argv
