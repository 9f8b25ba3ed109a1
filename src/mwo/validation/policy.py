"""What a PYTHON_SCRIPT may not do, as data: modules, calls and attributes, each with why and the fix.

The sandbox enforces the same boundary at run time (audit hook, namespaces, seccomp); this table lets
the validator say so before anything runs, in words a person and a small model can act on. A rule with
`net=True` is lifted by the step's `allow_net: true`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Rule:
    """One forbidden thing: why it is refused and what to do instead (English and Korean)."""

    why: str
    fix: str
    why_ko: str
    fix_ko: str
    net: bool = False


_PROCESS = Rule(
    "starts other programs, which the sandbox forbids",
    "do the work in Python itself (e.g. `json`, `csv`, `pathlib` in the work dir)",
    "다른 프로그램을 실행하며, 샌드박스에서 금지됩니다",
    "파이썬 코드로 직접 처리하세요 (예: 작업 폴더 안에서 json, csv, pathlib)",
)
_DYNAMIC = Rule(
    "runs code built at run time, which cannot be checked",
    "write the code out; parse data with `json.loads` or `ast.literal_eval`",
    "실행 중에 만든 코드를 실행하므로 검사할 수 없습니다",
    "코드를 직접 쓰고, 데이터는 json.loads나 ast.literal_eval로 읽으세요",
)
_NATIVE = Rule(
    "calls native code, outside every check",
    "use pure Python or an allowed package",
    "네이티브 코드를 호출해 모든 검사를 벗어납니다",
    "순수 파이썬이나 허용된 패키지를 쓰세요",
)
_NET = Rule(
    "reaches the network, and the step does not set `allow_net: true`",
    "fetch data with an API_CALL step and pass it in `inputs`, or set `allow_net: true` on the step",
    "네트워크에 접속하는데 단계에 `allow_net: true`가 없습니다",
    "API_CALL 단계로 데이터를 받아 inputs로 넘기거나 단계에 `allow_net: true`를 설정하세요",
    net=True,
)
_ENVIRON = Rule(
    "reads the process environment; secrets reach a script only through `secrets`",
    "declare the secret in the step's `secrets:` and use `def main(inputs, secrets): secrets['NAME']`",
    "프로세스 환경 변수를 읽습니다. 시크릿은 `secrets`로만 전달됩니다",
    "단계의 `secrets:`에 선언하고 `def main(inputs, secrets): secrets['NAME']`으로 읽으세요",
)
_DELETE = Rule(
    "deletes or moves files outside the work dir",
    "only touch files in the current directory (relative paths, no `..`)",
    "작업 폴더 밖의 파일을 지우거나 옮깁니다",
    "현재 폴더 안의 파일만 다루세요 (상대 경로, `..` 없이)",
)
_WRITE = Rule(
    "writes a file outside the work dir",
    "write files in the current directory (a relative path), or return the data instead",
    "작업 폴더 밖에 파일을 씁니다",
    "현재 폴더 안(상대 경로)에 쓰거나 데이터를 반환하세요",
)
_INPUT = Rule(
    "waits for a person at a keyboard, and a step has none",
    "take the value from `inputs`",
    "키보드 입력을 기다리지만 단계에는 입력할 사람이 없습니다",
    "값은 `inputs`에서 받으세요",
)

FORBIDDEN_MODULES: Mapping[str, Rule] = MappingProxyType(
    {
        "subprocess": _PROCESS,
        "multiprocessing": _PROCESS,
        "pty": _PROCESS,
        "ctypes": _NATIVE,
        "cffi": _NATIVE,
        "importlib": _DYNAMIC,
        "socket": _NET,
        "ssl": _NET,
        "urllib.request": _NET,
        "http.client": _NET,
        "ftplib": _NET,
        "smtplib": _NET,
        "telnetlib": _NET,
        "requests": _NET,
        "httpx": _NET,
        "aiohttp": _NET,
        "urllib3": _NET,
    }
)
"""Modules refused at import (a dotted entry also covers what is under it)."""

FORBIDDEN_CALLS: Mapping[str, Rule] = MappingProxyType(
    {
        "eval": _DYNAMIC,
        "exec": _DYNAMIC,
        "compile": _DYNAMIC,
        "__import__": _DYNAMIC,
        "input": _INPUT,
        "breakpoint": _INPUT,
        "os.system": _PROCESS,
        "os.popen": _PROCESS,
        "os.fork": _PROCESS,
        "os.forkpty": _PROCESS,
        "os.kill": _PROCESS,
        "os.killpg": _PROCESS,
        "os.posix_spawn": _PROCESS,
        "os.posix_spawnp": _PROCESS,
        "os.getenv": _ENVIRON,
        "os.getenvb": _ENVIRON,
        "os.putenv": _ENVIRON,
        "urllib.request.urlopen": _NET,
    }
)
"""Calls refused wherever they appear (`os.exec*` and `os.spawn*` by prefix, see PREFIXED_CALLS)."""

PREFIXED_CALLS: Mapping[str, Rule] = MappingProxyType({"os.exec": _PROCESS, "os.spawn": _PROCESS})

FORBIDDEN_NAMES: Mapping[str, Rule] = MappingProxyType({"os.environ": _ENVIRON, "os.environb": _ENVIRON})
"""Attributes refused when merely read (`os.environ['KEY']`, `os.environ.get(...)`)."""

PATH_CALLS: Mapping[str, Rule] = MappingProxyType(
    {
        "os.remove": _DELETE,
        "os.unlink": _DELETE,
        "os.rmdir": _DELETE,
        "os.removedirs": _DELETE,
        "os.rename": _DELETE,
        "os.replace": _DELETE,
        "shutil.rmtree": _DELETE,
        "shutil.move": _DELETE,
    }
)
"""Calls refused when their first argument is a literal path outside the work dir."""

WRITE_MODES = frozenset("wax+")
"""`open(path, mode)` writes when the mode has one of these; refused for a literal path outside."""
WRITE_RULE = _WRITE

ESCAPE_ATTRIBUTES = frozenset(
    {
        "__class__",
        "__bases__",
        "__base__",
        "__mro__",
        "mro",
        "__subclasses__",
        "__globals__",
        "__builtins__",
        "__code__",
        "__closure__",
        "__dict__",
        "__getattribute__",
        "__reduce__",
        "__reduce_ex__",
        "__self__",
        "__func__",
        "__init_subclass__",
        "func_globals",
        "func_code",
        "gi_frame",
        "gi_code",
        "cr_frame",
        "ag_frame",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "tb_frame",
    }
)
"""Attributes that lead from data to the interpreter's internals: refused in templates and scripts."""


def module_rule(module: str) -> tuple[str, Rule] | None:
    """The rule refusing `module` (or the package it is in), with the name the rule is written for."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in FORBIDDEN_MODULES:
            return name, FORBIDDEN_MODULES[name]
    return None


def call_rule(dotted: str) -> Rule | None:
    """The rule refusing a call of `dotted` (resolved through the script's imports), if any."""
    if dotted in FORBIDDEN_CALLS:
        return FORBIDDEN_CALLS[dotted]
    for prefix, rule in PREFIXED_CALLS.items():
        if dotted.startswith(prefix):
            return rule
    found = module_rule(dotted.rsplit(".", 1)[0]) if "." in dotted else None
    return found[1] if found else None
