"""The bubblewrap command line: what is shared with the script, and what never is."""

from __future__ import annotations

from pathlib import Path

from mwo.sandbox.bwrap import PACKAGES_DIR, bwrap_argv, minimal_env
from mwo.sandbox.egress import SANDBOX_DIR
from mwo.sandbox.interpreter import Interpreter
from mwo.sandbox.policy import Limits

PYTHON = Interpreter(
    Path("/usr/bin/python3.11"), "3.11", (Path("/usr/bin/python3.11"), Path("/usr/lib/python3.11"))
)


EGRESS = Path("/tmp/mwo-egress-x")


def _argv(allow_net: bool = False, packages: Path | None = None) -> list[str]:
    egress = EGRESS if allow_net else None
    return bwrap_argv(
        "/usr/bin/bwrap", PYTHON, "HARNESS", Limits(work_dir_mb=8), egress=egress, packages=packages
    )


def _binds(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--ro-bind", "--bind")]


def test_all_namespaces_are_unshared_even_for_a_step_with_the_network() -> None:
    offline, online = _argv(), _argv(allow_net=True)
    for argv in (offline, online):
        assert "--unshare-all" in argv and "--share-net" not in argv
        assert {"--die-with-parent", "--new-session", "--clearenv"} <= set(argv)
        assert argv[argv.index("--uid") + 1] == "65534" and argv[argv.index("--gid") + 1] == "65534"


def test_only_named_files_of_etc_are_shown_never_all_of_it() -> None:
    binds = _binds(_argv(allow_net=True))
    assert "/etc" not in binds and "/etc/shadow" not in binds and "/etc/passwd" not in binds
    assert all(not path.startswith("/etc") or path in _ETC_ALLOWED for path in binds)
    assert "/etc/ssl" not in _binds(_argv())


def test_the_egress_proxy_directory_is_the_only_way_out_and_read_only() -> None:
    online = _argv(allow_net=True)
    index = online.index(str(EGRESS))
    assert online[index - 1] == "--ro-bind" and online[index + 1] == SANDBOX_DIR
    assert SANDBOX_DIR not in _argv()


_ETC_ALLOWED = {"/etc/ld.so.cache", "/etc/localtime", "/etc/ssl", "/etc/ca-certificates"}


def test_no_writable_bind_and_the_work_dir_is_a_sized_tmpfs() -> None:
    argv = _argv()
    shm = argv.index("/dev/shm")
    assert argv[shm - 3 : shm] == ["--size", str(1024 * 1024), "--tmpfs"]
    assert "--bind" not in argv
    tmpfs = next(i for i, arg in enumerate(argv) if arg == "--tmpfs" and argv[i + 1] == "/work")
    assert argv[tmpfs - 2 : tmpfs + 2] == ["--size", str(8 * 1024 * 1024), "--tmpfs", "/work"]
    assert argv[argv.index("--chdir") + 1] == "/work"
    assert argv[-8:] == ["/usr/bin/python3.11", "-I", "-S", "-B", "-X", "utf8", "-c", "HARNESS"]


def test_packages_are_shown_read_only_at_a_fixed_path() -> None:
    argv = _argv(packages=Path("/srv/pkgs"))
    index = argv.index("/srv/pkgs")
    assert argv[index - 1] == "--ro-bind" and argv[index + 1] == PACKAGES_DIR


def test_the_environment_is_minimal_and_holds_no_host_values() -> None:
    env = minimal_env()
    assert set(env) == {"PATH", "HOME", "TMPDIR", "LANG", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}
    argv = _argv()
    values = [argv[i + 2] for i, arg in enumerate(argv) if arg == "--setenv"]
    assert values == list(env.values())
