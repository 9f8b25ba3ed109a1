"""The hostile corpus: each script is contained with a clear, typed error and the host is unharmed.

Two layers are exercised: the namespaces/rlimits (what the script cannot see or exceed) and the
harness's policy hook (the clear message). Where a script could bypass the hook, a second script
checks the layer below it.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest

from mwo.engine.executors.python_script import script_net_access
from mwo.sandbox import ErrorType, Limits, Sandbox
from mwo.settings import Settings
from mwo.spec import NetworkPolicy
from tests.integration.sandbox.conftest import run, script

SECRET = "s3cr3t-host-value-7f1e"


def _violation(sandbox: Sandbox, code: str) -> str:
    result = run(sandbox, code)
    assert result.error is not None, result.output
    assert result.error.type is ErrorType.VIOLATION, result.error.as_dict()
    assert result.error.hint
    return result.error.message


def test_environment_variables_of_the_host_are_not_visible(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_TEST_SECRET", SECRET)
    result = run(sandbox, "import os\ndef main(inputs):\n    return dict(os.environ)\n")
    assert result.output is not None
    assert SECRET not in json.dumps(result.output)
    assert set(result.output) <= {
        "PATH",
        "HOME",
        "TMPDIR",
        "LANG",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "PWD",
    }


def test_proc_environ_of_other_processes_shows_no_secret(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_TEST_SECRET", SECRET)
    code = (
        "import glob\n"
        "def main(inputs):\n"
        "    found = {}\n"
        "    for path in glob.glob('/proc/*/environ'):\n"
        "        try:\n"
        "            found[path] = open(path, 'rb').read().decode(errors='replace')\n"
        "        except OSError as exc:\n"
        "            found[path] = str(exc)\n"
        "    return {'pids': sorted(glob.glob('/proc/[0-9]*')), 'environ': found}\n"
    )
    result = run(sandbox, code)
    assert result.output is not None
    assert SECRET not in json.dumps(result.output)
    assert str(os.getpid()) not in [p.rsplit("/", 1)[1] for p in result.output["pids"]]  # own pid namespace


def test_etc_shadow_is_not_there(sandbox: Sandbox) -> None:
    message = _violation(sandbox, "def main(inputs):\n    return {'x': open('/etc/shadow').read()}\n")
    assert "/etc/shadow" in message
    etc = run(sandbox, "import os\ndef main(inputs):\n    return {'etc': sorted(os.listdir('/etc'))}\n")
    assert etc.output is not None and "passwd" not in etc.output["etc"] and "shadow" not in etc.output["etc"]


def test_home_directory_is_not_visible(sandbox: Sandbox) -> None:
    home = str(Path.home())
    message = _violation(sandbox, f"import os\ndef main(inputs):\n    return {{'x': os.listdir({home!r})}}\n")
    assert home in message
    assert run(sandbox, "import os\ndef main(i):\n    return {'h': os.path.expanduser('~')}\n").output == {
        "h": "/work"
    }


def test_the_mwo_database_is_not_visible(sandbox: Sandbox, settings: Settings, store: object) -> None:
    database = settings.resolved_home() / "mwo.db"
    assert database.exists()
    message = _violation(
        sandbox, f"def main(inputs):\n    return {{'x': open({str(database)!r}, 'rb').read(64).hex()}}\n"
    )
    assert "mwo.db" in message


def test_writing_outside_the_work_dir_fails_and_leaves_the_host_untouched(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    target = tmp_path / "escaped.txt"
    for path in (str(target), "/usr/lib/escaped.txt", "/etc/escaped", "/escaped"):
        _violation(sandbox, f"def main(inputs):\n    open({path!r}, 'w').write('x')\n    return {{}}\n")
    assert not target.exists()
    assert not Path("/usr/lib/escaped.txt").exists() and not Path("/escaped").exists()
    inside = run(
        sandbox,
        "def main(i):\n    open('note.txt', 'w').write('ok')\n    return {'r': open('note.txt').read()}\n",
    )
    assert inside.output == {"r": "ok"}


def _postgres_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def test_filling_the_work_dir_or_dev_shm_stops_at_their_size(sandbox: Sandbox) -> None:
    for directory in (".", "/dev/shm"):
        fill = script(
            "def main(i):",
            "    for n in range(100):",
            f"        with open('{directory}/f%d' % n, 'wb') as f:",
            "            f.write(b'x' * 1024 * 1024)",
            "    return {}",
        )
        result = run(sandbox, fill, timeout_s=5)
        assert result.error is not None and "No space left on device" in result.error.message


def test_loopback_services_are_unreachable(sandbox: Sandbox) -> None:
    code = script(
        "import socket", "def main(inputs):", "    socket.create_connection(('127.0.0.1', 5432), timeout=1)"
    )
    assert "network" in _violation(sandbox, code)
    # below the hook: a separate network namespace has no PostgreSQL even for a raw connect
    raw = (
        "import _socket\n"
        "def main(inputs):\n"
        "    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)\n"
        "    return {'errno': s.connect_ex(('127.0.0.1', 5432))}\n"
    )
    result = run(sandbox, raw)
    assert result.error is not None and result.error.type is ErrorType.VIOLATION  # connect_ex is audited too
    if _postgres_listening():  # with the network, the proxy is the only way out, and it refuses loopback
        allowed = sandbox.run(code, {}, {}, Limits(timeout_s=2), script_net_access(NetworkPolicy(), True))
        assert allowed.error is not None and allowed.error.type is ErrorType.VIOLATION
        assert "egress proxy" in allowed.error.message


def test_outside_addresses_are_unreachable_without_allow_net(sandbox: Sandbox) -> None:
    code = script(
        "import socket", "def main(inputs):", "    socket.create_connection(('1.1.1.1', 53), timeout=1)"
    )
    assert "allow_net" in _violation(sandbox, code)
    dns = "import socket\ndef main(inputs):\n    return {'a': socket.gethostbyname('example.com')}\n"
    _violation(sandbox, dns)


def test_private_addresses_are_refused_even_with_allow_net(sandbox: Sandbox) -> None:
    for address in ("10.0.0.1", "169.254.169.254", "192.168.1.1", "::1"):
        family = "AF_INET6" if ":" in address else "AF_INET"
        code = (
            "import socket\n"
            "def main(inputs):\n"
            f"    s = socket.socket(socket.{family}, socket.SOCK_STREAM)\n"
            f"    s.connect(({address!r}, 80))\n"
            "    return {}\n"
        )
        net = script_net_access(NetworkPolicy(), True)
        result = sandbox.run(code, {}, {}, Limits(timeout_s=2), net)
        assert result.error is not None and result.error.type is ErrorType.VIOLATION, address


@pytest.mark.slow
def test_fork_bomb_is_contained(sandbox: Sandbox) -> None:
    assert "process" in _violation(
        sandbox, script("import os", "def main(inputs):", "    while True: os.fork()")
    )
    # caught by the script, the refusal still holds; below the hook, the process limit is lowered
    caught = script(
        "import os, resource",
        "def main(inputs):",
        "    try:",
        "        os.fork()",
        "    except PermissionError as exc:",
        "        return {'refused': str(exc), 'nproc': resource.getrlimit(resource.RLIMIT_NPROC)}",
    )
    result = run(sandbox, caught)
    assert result.output is not None and "process" in result.output["refused"]
    assert result.output["nproc"] == [64, 64]
    assert run(sandbox, script("def main(i):", "    return {'after': True}")).output == {"after": True}


def test_huge_allocation_is_a_memory_error(sandbox: Sandbox) -> None:
    result = run(
        sandbox, "def main(inputs):\n    block = bytearray(8 * 1024**3)\n    return {'n': len(block)}\n"
    )
    assert result.error is not None and result.error.type is ErrorType.MEMORY
    assert "script.py" in result.error.traceback


def test_infinite_loop_is_stopped_at_the_time_limit(sandbox: Sandbox) -> None:
    started = time.monotonic()
    result = run(sandbox, "def main(inputs):\n    while True:\n        pass\n", timeout_s=0.5)
    assert result.error is not None and result.error.type is ErrorType.TIMEOUT
    assert time.monotonic() - started < 2.0


def test_spawning_a_shell_is_refused(sandbox: Sandbox) -> None:
    for call in ("os.system('id')", "os.execv('/bin/sh', ['sh'])", "subprocess.run(['sh', '-c', 'id'])"):
        _violation(sandbox, f"import os, subprocess\ndef main(inputs):\n    {call}\n    return {{}}\n")
    # below the hook: there is no shell in the sandbox at all
    shells = run(
        sandbox,
        script(
            "import os",
            "def main(i):",
            "    return {'sh': [os.path.exists(p) for p in ('/bin/sh', '/bin/bash')]}",
        ),
    )
    assert shells.output == {"sh": [False, False]}


def test_two_hundred_megabytes_of_output_are_cut_off(sandbox: Sandbox) -> None:
    printed = script(
        "import sys",
        "def main(inputs):",
        "    for _ in range(200):",
        "        sys.stdout.write('x' * 1024 * 1024)",
    )
    result = run(sandbox, printed, timeout_s=10)
    assert result.error is not None and result.error.type is ErrorType.BAD_OUTPUT
    assert "more than" in result.error.message
    returned = run(
        sandbox, "def main(inputs):\n    return {'x': 'x' * 20 * 1024 * 1024}\n", timeout_s=10, memory_mb=1024
    )
    assert returned.error is not None and returned.error.type is ErrorType.BAD_OUTPUT


def test_killing_the_parent_is_refused(sandbox: Sandbox) -> None:
    _violation(
        sandbox,
        "import os, signal\ndef main(inputs):\n    os.kill(os.getppid(), signal.SIGKILL)\n    return {}\n",
    )
    for target in ("1", "-1"):
        _violation(
            sandbox, script("import os, signal", "def main(i):", f"    os.kill({target}, signal.SIGKILL)")
        )
    # below the hook: the host's processes do not exist in the sandbox's pid namespace
    pids = run(sandbox, script("import os", "def main(i):", "    return {'ppid': os.getppid()}"))
    assert pids.output is not None and pids.output["ppid"] in (0, 1)
    # and the sandbox is still usable afterwards (the host process, this test, is obviously alive)
    assert run(sandbox, "def main(i):\n    return {'ok': True}\n").output == {"ok": True}


def test_raising_its_own_limits_is_refused(sandbox: Sandbox) -> None:
    code = script(
        "import resource", "def main(inputs):", "    resource.setrlimit(resource.RLIMIT_AS, (-1, -1))"
    )
    assert "limits" in _violation(sandbox, code)
    # below the hook: the hard limits were lowered, the kernel would refuse too
    check = "import resource\ndef main(i):\n    return {'as': resource.getrlimit(resource.RLIMIT_AS)}\n"
    result = run(sandbox, check, memory_mb=128)
    assert result.output == {"as": [128 * 1024 * 1024, 128 * 1024 * 1024]}


def test_native_code_past_the_hook_meets_the_kernel(sandbox: Sandbox) -> None:
    """ctypes can step around an audit hook; the seccomp filter still refuses new processes."""
    libc_fork = script("import ctypes", "def main(i):", "    return {'pid': ctypes.CDLL(None).fork()}")
    assert run(sandbox, libc_fork).output == {"pid": -1}
    if sandbox.interpreter.version != "3.11":
        return  # _posixsubprocess.fork_exec's signature changes between versions
    fork_exec = script(
        "import _posixsubprocess, os",
        "def main(i):",
        "    r, w = os.pipe()",
        "    _posixsubprocess.fork_exec([b'/bin/sh'], [b'/bin/sh'], True, (), None, None, -1, -1, -1, -1,",
        "        -1, -1, r, w, False, False, -1, None, None, None, -1, None, False)",
    )
    result = run(sandbox, fork_exec)
    assert result.error is not None and result.error.type is ErrorType.VIOLATION, result.error


def test_the_script_runs_as_nobody_in_its_own_namespaces(sandbox: Sandbox) -> None:
    code = (
        "import os, socket\n"
        "def main(inputs):\n"
        "    return {'uid': os.getuid(), 'gid': os.getgid(), 'pid': os.getpid(),\n"
        "            'host': socket.gethostname(),\n"
        "            'cwd': os.getcwd(), 'root': sorted(os.listdir('/'))}\n"
    )
    result = run(sandbox, code)
    assert result.output is not None
    assert (result.output["uid"], result.output["gid"], result.output["host"]) == (65534, 65534, "sandbox")
    assert result.output["pid"] < 10 and result.output["cwd"] == "/work"
    assert "root" not in result.output["root"] and "home" not in result.output["root"]
