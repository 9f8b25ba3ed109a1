"""What counts as widening: forbidden modules, calls and attributes the original did not have, and
secrets neither the step nor the original script reads."""

from __future__ import annotations

from mwo.healing.permissions import secret_names, widening
from mwo.validation import check_script

ORIGINAL = (
    'import os\n\n\ndef main(inputs, secrets):\n    return {"k": secrets["API_KEY"], "p": os.getcwd()}\n'
)


def wider(candidate: str, secrets: tuple[str, ...] = ("API_KEY",)) -> list[str]:
    return widening(check_script(ORIGINAL), check_script(candidate), candidate, ORIGINAL, secrets)


def test_the_same_permissions_are_not_widening() -> None:
    assert wider(ORIGINAL.replace('"p"', '"path"')) == []


def test_processes_sockets_environment_and_eval_are_widening() -> None:
    for added, word in [
        ("import subprocess", "subprocess"),
        ("import socket", "socket"),
        ("X = os.environ.get('HOME')", "os.environ"),
        ("Y = eval('1')", "eval"),
    ]:
        found = wider(f"{added}\n{ORIGINAL}")
        assert found and word in found[0], (added, found)


def test_a_secret_the_step_does_not_have_is_widening() -> None:
    candidate = ORIGINAL.replace('secrets["API_KEY"]', 'secrets.get("OTHER")')

    assert wider(candidate) == ["the secret 'OTHER'"]
    assert wider(candidate, secrets=("API_KEY", "OTHER")) == []


def test_secret_names_are_read_from_mains_second_parameter() -> None:
    code = 'def main(i, s):\n    return {"a": s["A"], "b": s.get("B"), "c": s[i["k"]]}\n'

    assert secret_names(code) == {"A", "B", "<computed>"}
    assert secret_names('def main(inputs):\n    return {"a": inputs["A"]}\n') == set()
