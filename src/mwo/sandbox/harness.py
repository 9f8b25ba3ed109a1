"""The bootstrap that runs inside the sandbox, before and around the step's script. Standard library only.

It is passed to `python -I -S -c` as source text, so it must not import mwo (the sandbox has no
access to MWO's own environment). One request, one process: read the JSON request from stdin
until EOF (so a pre-spawned interpreter can wait in a pool), apply the limits to itself, install a
policy audit hook, import the script, call `main`, write one JSON line on the original stdout, exit.

Why the limits are set here and not by the parent (`preexec_fn`): the parent is multi-threaded (a
pool filler thread spawns sandboxes) and `preexec_fn` is unsafe there; the harness is trusted code
running before any of the script's, and a lowered hard limit cannot be raised again by the script.
Pre-spawned interpreters also learn their step's limits only when the request arrives.

The audit hook gives clear error messages; it is not the boundary, which is the namespaces
(bubblewrap), the seccomp filter and the rlimits: code using ctypes can get past a hook, and finds
the kernel's refusal behind it. The hook refuses new processes, raising limits, signals to other
processes, and network use the step did not declare.

A step with the network still has no route out of its network namespace: the request names the
egress proxy's Unix socket (see mwo/sandbox/egress.py) and carries forwarder.py, which the harness
runs before the script: a thread from a port on the sandbox's own 127.0.0.1 to that socket, and
HTTP_PROXY/HTTPS_PROXY set to it. The hook then refuses every other connection with a message saying
how to get out (an HTTP client through the proxy); the kernel would refuse them too (no route).
Only on a host without namespaces (the rlimits-only fallback) is the hook itself the SSRF rule.

Protocol: the request is marshal data (written by MWO, so trusted here; the `json` module and the `re`
it imports would add ~6 ms to every sandbox start). stdout carries exactly one JSON object, written by
the small encoder below on `_json`'s C string escaping: {"ok": true, "output": ...} or
{"ok": false, "error": {"type", "message", "traceback"}}. Whatever the script prints goes to stderr.
"""

from __future__ import annotations

import _json
import marshal
import os
import resource
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at every sandbox start; only the type checker needs it
    from collections.abc import Callable
    from typing import Any

    _Checker = Callable[[str, tuple[Any, ...]], None]
    """Called with a network audit event and its arguments; raises SandboxViolation to refuse."""


SCRIPT_FILE = "script.py"
_PROCESS_EVENTS = frozenset(
    {"os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen"}
)
_NAME_EVENTS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"})
_SEND_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"})
_CHECKED_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg", *_NAME_EVENTS})
_DENIED_ERRNOS = frozenset({1, 13, 30, 101, 97})
"""EPERM, EACCES, EROFS, ENETUNREACH, EAFNOSUPPORT: what a hidden or read-only system answers."""


class SandboxViolation(PermissionError):
    """Raised by the policy hook: the script tried something the sandbox does not allow."""


def main() -> None:
    request = marshal.loads(sys.stdin.buffer.read())
    result_fd = os.dup(1)
    os.dup2(2, 1)  # the script's prints go to stderr (its log); stdout is the result channel
    limits = request["limits"]
    _apply_limits(limits)
    if request.get("packages"):
        sys.path.append(request["packages"])
    net = request.get("net") or {}
    checker: _Checker | None = None
    if net.get("proxy"):
        checker = _forwarding(net["proxy"], net["forwarder"])
    elif net.get("enabled"):
        checker = _address_checker(net.get("allowed_networks") or [])
    sys.addaudithook(_policy_hook(bool(net.get("enabled")), checker))
    try:
        reply = {"ok": True, "output": _run(request)}
    except BaseException as exc:  # the process boundary: every failure becomes a typed reply
        try:
            reply = {"ok": False, "error": _describe(exc, request["code"])}
        except MemoryError:  # too little memory left even to format the traceback
            reply = {"ok": False, "error": {"type": "memory", "message": "MemoryError: out of memory"}}
    _reply(result_fd, reply, int(limits["max_output_bytes"]))


def _apply_limits(limits: dict[str, Any]) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime + float(limits["timeout_s"])) + 1
    wanted = {
        resource.RLIMIT_AS: int(limits["memory_mb"]) * 1024 * 1024,
        resource.RLIMIT_CPU: cpu,
        resource.RLIMIT_NOFILE: int(limits["max_open_files"]),
        resource.RLIMIT_FSIZE: int(limits["max_file_bytes"]),
        resource.RLIMIT_CORE: 0,
    }
    if limits.get("max_processes"):
        wanted[resource.RLIMIT_NPROC] = int(limits["max_processes"])
    for kind, value in wanted.items():
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def _policy_hook(net_enabled: bool, checker: _Checker | None) -> Callable[[str, tuple[Any, ...]], None]:
    me = os.getpid()

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in _PROCESS_EVENTS:
            raise SandboxViolation(f"starting another process ({event}) is not allowed in the sandbox")
        if event in ("resource.setrlimit", "resource.prlimit"):
            raise SandboxViolation("changing resource limits is not allowed in the sandbox")
        if event in ("os.kill", "os.killpg") and args and args[0] not in (me, 0):
            raise SandboxViolation(f"sending signals to process {args[0]} is not allowed in the sandbox")
        if not net_enabled and (event in _NAME_EVENTS or event in _SEND_EVENTS):
            _refuse_offline(event, args)
        elif checker is not None and event in _CHECKED_EVENTS:
            checker(event, args)

    return hook


def _refuse_offline(event: str, args: tuple[Any, ...]) -> None:
    sock = args[0] if args else None
    family = getattr(sock, "family", None)
    if event in _SEND_EVENTS and family is not None and int(family) == 1:  # AF_UNIX stays inside
        return
    raise SandboxViolation(f"network access ({event}) is not allowed: the step does not set allow_net: true")


def _forwarding(socket_path: str, source: str) -> _Checker:
    """Start the forwarder to the egress proxy (forwarder.py, sent with the request so that steps
    without the network do not compile it at every sandbox start); its connection rule."""
    namespace: dict[str, Any] = {"__name__": "forwarder"}
    exec(compile(source, "forwarder.py", "exec"), namespace)  # MWO's own module, not the script
    checker: _Checker = namespace["start"](socket_path, SandboxViolation)
    return checker


def _address_checker(allowed: list[str]) -> _Checker:
    """The SSRF rule of API_CALL: public addresses only, unless the workflow allows the network.

    Used only on hosts without namespaces (no egress proxy there): in-process, CIDR entries only.
    """
    import ipaddress
    import socket

    networks = [ipaddress.ip_network(entry, strict=False) for entry in allowed]
    metadata = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}

    def refused(text: str) -> bool:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        mapped = getattr(address, "ipv4_mapped", None)
        address = mapped or address
        if any(address in network for network in networks):
            return False
        return address in metadata or not address.is_global or address.is_multicast

    def check(event: str, args: tuple[Any, ...]) -> None:
        if event not in ("socket.connect", "socket.sendto") or len(args) < 2:
            return
        sock, target = args[0], args[-1]
        if int(getattr(sock, "family", 0)) not in (socket.AF_INET, socket.AF_INET6):
            return
        host, port = target[0], target[1]
        try:
            addresses = [host] if _is_ip(host) else [str(i[4][0]) for i in socket.getaddrinfo(host, port)]
        except OSError:
            return  # the connect itself will report the resolution failure
        for address in addresses:
            if refused(address):
                raise SandboxViolation(
                    f"connecting to {host}:{port} is not allowed: {address} is not a public address "
                    "(add it to settings.network.allow in the workflow if intended)"
                )

    def _is_ip(text: str) -> bool:
        try:
            ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return False
        return True

    return check


def _run(request: dict[str, Any]) -> dict[str, Any]:
    code = request["code"]
    try:
        compiled = compile(code, SCRIPT_FILE, "exec")
    except SyntaxError as exc:
        raise _BadScript(f"the script does not compile: {exc.msg} (line {exc.lineno})") from None
    namespace: dict[str, Any] = {"__name__": "script", "__file__": SCRIPT_FILE, "__builtins__": __builtins__}
    exec(compiled, namespace)
    entry = namespace.get("main")
    if not callable(entry):
        raise _BadScript("the script has no function `main` (expected `def main(inputs: dict) -> dict:`)")
    arity = getattr(getattr(entry, "__code__", None), "co_argcount", 1)
    secrets = request.get("secrets") or {}
    result = entry(request.get("inputs") or {}, secrets) if arity >= 2 else entry(request.get("inputs") or {})
    if not isinstance(result, dict):
        raise _BadOutput(f"main returned {type(result).__name__}, not a dict")
    return result


class _BadScript(Exception):
    pass


class _BadOutput(Exception):
    pass


def _describe(exc: BaseException, code: str) -> dict[str, Any]:
    if isinstance(exc, _BadScript):
        return {"type": "bad_script", "message": str(exc)}
    if isinstance(exc, _BadOutput):
        return {"type": "bad_output", "message": str(exc)}
    message = f"{type(exc).__name__}: {exc}"
    trace = _script_traceback(exc, code)
    if isinstance(exc, MemoryError):
        return {
            "type": "memory",
            "message": f"MemoryError: the script ran out of memory {exc}".strip(),
            "traceback": trace,
        }
    if isinstance(exc, SystemExit):
        return {"type": "exception", "message": f"the script called exit({exc.code!r})", "traceback": trace}
    if _is_denial(exc):
        return {"type": "violation", "message": message, "traceback": trace}
    return {"type": "exception", "message": message, "traceback": trace}


def _is_denial(exc: BaseException) -> bool:
    if isinstance(exc, SandboxViolation | PermissionError):
        return True
    if isinstance(exc, FileNotFoundError) and isinstance(exc.filename, str):
        return os.path.isabs(exc.filename) and not exc.filename.startswith(os.getcwd())
    return isinstance(exc, OSError) and exc.errno in _DENIED_ERRNOS


def _script_traceback(exc: BaseException, code: str) -> str:
    """The traceback trimmed to the script's own frames (the harness and library frames left out).

    Imported only here, on the failure path: `traceback` and `linecache` pull in `tokenize` and `re`
    (~8 ms), which a script that succeeds should not pay for.
    """
    import linecache
    import traceback

    linecache.cache[SCRIPT_FILE] = (len(code), None, code.splitlines(True), SCRIPT_FILE)

    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == SCRIPT_FILE]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(lines)


def _reply(fd: int, reply: dict[str, Any], limit: int) -> None:
    try:
        data = _to_json(reply)
    except _BadOutput as exc:
        data = _to_json({"ok": False, "error": {"type": "bad_output", "message": str(exc)}})
    if len(data) > limit:
        message = f"the result is {len(data)} bytes, more than the {limit} allowed"
        data = _to_json({"ok": False, "error": {"type": "bad_output", "message": message}})
    sys.stdout.flush()
    sys.stderr.flush()
    view = memoryview(data + b"\n")
    while view:
        view = view[os.write(fd, view) :]
    os._exit(0)


_MAX_DEPTH = 200
_INFINITY = float("inf")


def _to_json(value: Any) -> bytes:
    """`value` as UTF-8 JSON, or _BadOutput saying why it is not JSON (as json.dumps would refuse it)."""
    parts: list[str] = []
    try:
        _dump(value, parts, 0)
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        raise _BadOutput("main returned text that is not valid Unicode (a lone surrogate)") from None
    except (ValueError, RecursionError) as exc:  # int too long to print, or deep nesting
        raise _BadOutput(f"main returned a value that is not JSON: {exc}") from None


def _dump(value: Any, parts: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise _BadOutput(f"main returned a value nested more than {_MAX_DEPTH} levels deep")
    if value is None or value is True or value is False:
        parts.append("null" if value is None else "true" if value else "false")
    elif isinstance(value, str):
        parts.append(_json.encode_basestring(value))
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (_INFINITY, -_INFINITY):
            raise _BadOutput(f"main returned a value that is not JSON: Out of range float values ({value})")
        parts.append(float.__repr__(value))
    elif isinstance(value, dict):
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            parts.append(", " if index else "")
            parts.append(_json.encode_basestring(_key(key)) + ": ")
            _dump(item, parts, depth + 1)
        parts.append("}")
    elif isinstance(value, list | tuple):
        parts.append("[")
        for index, item in enumerate(value):
            parts.append(", " if index else "")
            _dump(item, parts, depth + 1)
        parts.append("]")
    else:
        kind = type(value).__name__
        raise _BadOutput(
            f"main returned a value that is not JSON: Object of type {kind} is not JSON serializable"
        )


def _key(key: Any) -> str:
    """Keys as json.dumps makes them: text stays, numbers, booleans and None become text."""
    if isinstance(key, str):
        return key
    if key is None or key is True or key is False:
        return "null" if key is None else "true" if key else "false"
    if isinstance(key, int | float):
        return repr(key) if isinstance(key, float) else int.__repr__(key)
    raise _BadOutput(f"main returned a dict with a key of type {type(key).__name__}; keys must be text")


if __name__ == "__main__":
    main()
