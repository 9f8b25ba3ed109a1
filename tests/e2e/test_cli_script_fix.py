"""`mwo script fix` as a user drives it: the --json contract, --write, the exit codes, bad input; and
one slow test on the real local model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mwo.settings import Settings
from mwo.store import open_store
from tests.e2e.cli_support import invoke, invoke_json

BROKEN = 'def main(inputs):\n    return {"titles": [item["titel"] for item in inputs["items"]]}\n'
INPUT = json.dumps({"items": [{"title": "가"}, {"title": "b"}]}, ensure_ascii=False)
ATTEMPT_KEYS = {"round", "candidate", "source", "findings", "accepted", "seconds", "tokens"}


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "clean.py"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_json_is_one_object_with_the_contracts_fields(
    home: Path, script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "fake")

    code, result = invoke_json("script", "fix", str(script), "--input", INPUT, "--goal", "list the titles")

    assert code == 0
    assert {"status", "code", "output", "findings", "attempts", "seconds"} <= set(result)
    assert result["status"] == "fixed" and result["output"] == {"titles": ["가", "b"]}
    assert 'item["title"]' in result["code"] and result["findings"] == []
    [attempt] = result["attempts"]
    assert set(attempt) >= ATTEMPT_KEYS and attempt["source"] == "fixer" and attempt["accepted"]
    assert script.read_text(encoding="utf-8") == BROKEN  # not written without --write
    store = open_store(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        [stored] = store.list_healing_attempts("script:clean.py")
    finally:
        store.close()
    assert stored.accepted and stored.repair_id == result["repair_id"]


def test_write_saves_the_fix_and_keeps_the_original(
    home: Path, script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "fake")

    code, out, _ = invoke("script", "fix", str(script), "--input", INPUT, "--write")

    assert code == 0
    assert "fixed" in out and "'titel'" in out and '+    return {"titles": [item["title"]' in out
    assert 'item["title"]' in script.read_text(encoding="utf-8")
    assert script.with_name("clean.py.orig").read_text(encoding="utf-8") == BROKEN


def test_a_working_script_is_already_ok(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "fake")
    path = tmp_path / "ok.py"
    path.write_text('def main(inputs):\n    return {"n": 1}\n', encoding="utf-8")

    code, result = invoke_json("script", "fix", str(path), "--input", "{}")

    assert (code, result["status"], result["output"], result["attempts"]) == (0, "already_ok", {"n": 1}, [])


def test_a_script_nothing_can_fix_fails_with_exit_status_1(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "fake")  # the fake echoes the prompt: the same script back
    path = tmp_path / "bad.py"
    path.write_text('def main(inputs):\n    return {"n": 1 / inputs["zero"]}\n', encoding="utf-8")

    code, result = invoke_json("script", "fix", str(path), "--input", '{"zero": 0}', "--rounds", "1")

    assert code == 1 and result["status"] == "failed" and result["output"] is None
    assert result["findings"][0]["code"] == "dryrun.exception"
    assert "ZeroDivisionError" in result["findings"][0]["message"]
    assert {a["findings"][0]["code"] for a in result["attempts"]} == {"healing.unchanged"}


def test_input_that_is_not_a_json_object_is_refused(home: Path, script: Path) -> None:
    for given, words in [("{items", "not JSON"), ("[1, 2]", "must be a JSON object")]:
        code, _out, err = invoke("script", "fix", str(script), "--input", given)
        assert code == 1 and words in err, (given, err)
    code, result = invoke_json("script", "fix", str(script), "--input", "@/nonexistent.json")
    assert code == 1 and result["error"]["message"].startswith("cannot read /nonexistent.json")


@pytest.mark.slow
@pytest.mark.real_llm
@pytest.mark.timeout(1200)
def test_the_local_model_repairs_a_simple_script(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_HEALING_TIME_S", "900")  # a shared CI machine: calls may be slow
    monkeypatch.setenv("MWO_HEALING_CANDIDATES", "1")
    path = tmp_path / "total.py"
    path.write_text(
        'def main(inputs):\n    total = sum(inputs["amounts"])\n    return {"message": "Total: " + total}\n',
        encoding="utf-8",
    )
    given = json.dumps({"amounts": [5, 10]})
    goal = 'return the message "Total: N" where N is the sum of the amounts'

    code, result = invoke_json("script", "fix", str(path), "--input", given, "--goal", goal, "--rounds", "2")

    assert code == 0, result
    assert result["status"] == "fixed" and result["output"] == {"message": "Total: 15"}
    assert any(a["source"] == "model" and a["accepted"] for a in result["attempts"])
