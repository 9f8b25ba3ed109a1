"""The bubblewrap command line: what is shared with the script, and what never is."""

from __future__ import annotations

from pathlib import Path

from mwo.sandbox.bwrap import PACKAGES_DIR, bwrap_argv, minimal_env
from mwo.sandbox.interpreter import Interpreter
from mwo.sandbox.policy import Limits

PYTHON = Interpreter(
    Path("/usr/bin/python3.11"), "3.11", (Path("/usr/bin/python3.11"), Path("/usr/lib/python3.11"))
)


def _argv(allow_net: bool = False, packages: Path | None = None) -> list[str]:
    return bwrap_argv(
        "/usr/bin/bwrap", PYTHON, "HARNESS", Limits(work_dir_mb=8), allow_net=allow_net, packages=packages
    )


def _binds(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--ro-bind", "--bind")]


def test_all_namespaces_are_unshared_and_network_only_on_request() -> None:
    offline, online = _argv(), _argv(allow_net=True)
    assert "--unshare-all" in offline and "--share-net" not in offline
    assert "--share-net" in online
    for argv in (offline, online):
        assert {"--die-with-parent", "--new-session", "--clearenv"} <= set(argv)
        assert argv[argv.index("--uid") + 1] == "65534" and argv[argv.index("--gid") + 1] == "65534"


def test_only_named_files_of_etc_are_shown_never_all_of_it() -> None:
    binds = _binds(_argv(allow_net=True))
    assert "/etc" not in binds and "/etc/shadow" not in binds and "/etc/passwd" not in binds
    assert all(not path.startswith("/etc") or path in _ETC_ALLOWED for path in binds)
    assert "/etc/resolv.conf" not in _binds(_argv())


_ETC_ALLOWED = {
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/gai.conf",
    "/etc/host.conf",
    "/etc/ssl",
    "/etc/ca-certificates",
}


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
