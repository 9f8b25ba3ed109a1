"""check_script: one finding code per way a PYTHON_SCRIPT can be wrong before it runs."""

from __future__ import annotations

import pytest

from mwo.validation import Finding, Severity, check_script

CLEAN = """
import json


def main(inputs):
    items = inputs.get("items", [])
    try:
        parsed = json.loads(inputs.get("raw", "[]"))
    except ValueError as exc:
        return {"error": f"raw is not JSON: {exc}"}
    return {"count": len(items) + len(parsed)}
"""


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, findings
    return matching[0]


def test_a_clean_script_has_no_findings() -> None:
    assert check_script(CLEAN) == []


def test_a_syntax_error_is_the_only_finding_with_its_line() -> None:
    findings = check_script("def main(inputs):\n    return {'a': 1\n", step="calc")
    (found,) = findings
    assert (found.code, found.severity, found.step, found.field, found.line) == (
        "script.syntax",
        Severity.ERROR,
        "calc",
        "code",
        2,
    )
    assert "never closed" in found.message and "line 2" in found.hint


def test_return_outside_a_function_is_a_syntax_error() -> None:
    assert codes(check_script("return {}\n")) == ["script.syntax"]


def test_a_script_without_main() -> None:
    found = only(check_script("def run(inputs):\n    return {}\n"), "script.no_main")
    assert found.is_error and "def main(inputs: dict) -> dict" in found.hint


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("async def main(inputs):\n    return {}\n", "async"),
        ("def main():\n    return {}\n", "no parameter"),
        ("def main(a, b, c):\n    return {}\n", "requires 3"),
        ("def main(inputs, *, mode):\n    return {}\n", "keyword-only"),
    ],
)
def test_a_main_the_sandbox_cannot_call(source: str, words: str) -> None:
    found = only(check_script(source), "script.main_signature")
    assert words in found.message and found.line == 1


@pytest.mark.parametrize(
    "source", ["def main(inputs):\n    return {}\n", "def main(inputs, secrets=None):\n    return {}\n"]
)
def test_the_two_signatures_the_harness_calls_are_fine(source: str) -> None:
    assert check_script(source) == []


def test_a_main_that_never_returns() -> None:
    found = only(check_script("def main(inputs):\n    print(inputs)\n"), "script.no_return")
    assert "None" in found.message


def test_a_main_that_only_raises_is_not_missing_a_return() -> None:
    assert check_script("def main(inputs):\n    raise ValueError('not yet')\n") == []


@pytest.mark.parametrize(
    ("body", "what"),
    [("return [1, 2]", "a list"), ("return 'done'", "a str"), ("return", "None"), ("return None", "None")],
)
def test_a_return_that_is_plainly_not_a_dict(body: str, what: str) -> None:
    found = only(check_script(f"def main(inputs):\n    {body}\n"), "script.bad_return")
    assert what in found.message and found.line == 2


def test_an_undefined_name_comes_from_ruff_with_its_name_and_line() -> None:
    found = only(check_script("def main(inputs):\n    return {'n': totl}\n"), "script.undefined_name")
    assert found.is_error and found.line == 2 and "'totl'" in found.message


def test_an_unused_import_is_a_warning() -> None:
    found = only(check_script("import csv\n\n\ndef main(inputs):\n    return {}\n"), "script.unused_import")
    assert found.severity is Severity.WARNING and found.line == 1


def test_other_lint_is_a_warning_with_the_rule() -> None:
    source = "def main(inputs):\n    unused = 1\n    return {}\n"
    found = only(check_script(source), "script.lint")
    assert found.severity is Severity.WARNING and "F841" in found.message


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("import subprocess\n", "subprocess"),
        ("from ctypes import CDLL\n", "ctypes"),
        ("import importlib\n", "importlib"),
        ("import socket\n", "socket"),
        ("from urllib import request\n", "urllib.request"),
        ("import requests\n", "requests"),
    ],
)
def test_forbidden_modules(source: str, module: str) -> None:
    findings = check_script(source + "\n\ndef main(inputs):\n    return {}\n")
    found = only(findings, "script.forbidden_module")
    assert found.is_error and f"'{module}'" in found.message and found.line == 1


def test_network_modules_are_allowed_with_allow_net_and_processes_never() -> None:
    net = "import socket\n\n\ndef main(inputs):\n    return {'s': str(socket.AF_INET)}\n"
    assert check_script(net, allow_net=True) == []
    processes = "import subprocess\n\n\ndef main(inputs):\n    return {'s': str(subprocess.PIPE)}\n"
    assert codes(check_script(processes, allow_net=True)) == ["script.forbidden_module"]


@pytest.mark.parametrize(
    ("line", "call"),
    [
        ("eval(inputs['expr'])", "eval"),
        ("exec('x = 1')", "exec"),
        ("__import__('os')", "__import__"),
        ("input('name?')", "input"),
        ("o.system('ls')", "os.system"),
        ("os.execv('/bin/sh', [])", "os.execv"),
        ("run_it('ls')", "os.system"),
        ("os.getenv('HOME')", "os.getenv"),
        ("os.environ['HOME']", "os.environ"),
        ("os.environ.get('HOME')", "os.environ"),
        ("shutil.rmtree('/etc')", "shutil.rmtree"),
        ("os.remove('../outside.txt')", "os.remove"),
        ("open('/tmp/out.txt', 'w')", "open"),
        ("open('/etc/passwd', mode='a')", "open"),
    ],
)
def test_forbidden_calls_resolved_through_imports(line: str, call: str) -> None:
    source = (
        "import os\nimport os as o\nimport shutil\nfrom os import system as run_it\n\n\n"
        f"def main(inputs):\n    value = {line}\n    return {{'v': str(value)}}\n"
    )
    errors = [f for f in check_script(source) if f.code == "script.forbidden_call"]
    assert [f"'{call}'" in f.message for f in errors] == [True], errors
    assert errors[0].line == 8 and errors[0].hint


@pytest.mark.parametrize(
    "line",
    [
        "open('report.csv', 'w')",
        "open('/etc/hosts')",
        "os.remove('scratch/tmp.txt')",
        "shutil.rmtree(inputs['dir'])",
    ],
)
def test_work_dir_files_and_reads_are_allowed(line: str) -> None:
    source = (
        "import os\nimport shutil\n\n\n"
        f"def main(inputs):\n    value = {line}\n    return {{'v': str(value)}}\n"
    )
    assert [f for f in check_script(source) if f.code == "script.forbidden_call"] == []


@pytest.mark.parametrize(
    "expression", ["().__class__.__bases__", "inputs.__globals__", "getattr(inputs, '__subclasses__')"]
)
def test_escape_attributes(expression: str) -> None:
    findings = check_script(f"def main(inputs):\n    return {{'v': str({expression})}}\n")
    assert "script.forbidden_attribute" in codes(findings)


def test_an_except_pass_hides_the_failure() -> None:
    source = (
        "def main(inputs):\n    try:\n        n = int(inputs['n'])\n"
        "    except Exception:\n        pass\n    return {}\n"
    )
    found = only(check_script(source), "script.swallowed_error")
    assert found.severity is Severity.WARNING and found.line == 4 and "except Exception:" in found.message


def test_a_bare_except_is_a_warning() -> None:
    source = (
        "def main(inputs):\n    try:\n        return {'n': int(inputs['n'])}\n"
        "    except:\n        return {'n': 0}\n"
    )
    found = only(check_script(source), "script.bare_except")
    assert found.severity is Severity.WARNING and found.line == 4


def test_an_io_failure_caught_and_not_reported() -> None:
    hidden = (
        "def main(inputs):\n    try:\n        text = open('data.csv').read()\n"
        "    except OSError:\n        return {'rows': 0}\n    return {'rows': len(text)}\n"
    )
    found = only(check_script(hidden), "script.unreported_error")
    assert found.severity is Severity.WARNING and "'open'" in found.message
    reported = hidden.replace("except OSError:", "except OSError as exc:").replace(
        "{'rows': 0}", "{'rows': 0, 'error': str(exc)}"
    )
    assert check_script(reported) == []


def test_errors_come_before_warnings() -> None:
    source = "import csv\n\n\ndef main(inputs):\n    return [eval('1')]\n"
    findings = check_script(source)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s is Severity.WARNING)
    assert {"script.forbidden_call", "script.bad_return", "script.unused_import"} <= set(codes(findings))


def test_korean_words_when_asked() -> None:
    (found,) = check_script("def main(inputs):\n    return {'a': 1\n", language="ko")
    assert "문법" in found.message and "줄" in found.hint
    found = only(
        check_script("def main(inputs):\n    return {'n': totl}\n", language="ko"), "script.undefined_name"
    )
    assert "정의되지 않은" in found.message and "totl" in found.message
