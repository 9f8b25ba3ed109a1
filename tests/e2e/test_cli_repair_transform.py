"""`mwo repair RUN` for a DATA_TRANSFORM step, as `mwo` wires the repair: the transform fails on the
run's real data, the run waits with the proposed config, approve, the run resumes and succeeds.
Once with a deterministic fixer (the model is not asked), once on the real local model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli_support import invoke, invoke_json

SPEC = """\
name: digest
inputs:
  feed: {type: object, default: {page: 1, items: [{title: rates, score: 3}, {title: stocks, score: 9}]}}
steps:
- id: top
  type: DATA_TRANSFORM
  description: the feed's items, best score first
  source: SOURCE
  ops:
  - {op: sort, by: score, descending: true}
"""


def _apply(tmp_path: Path, source: str) -> None:
    spec = tmp_path / "digest.mwo.yaml"
    spec.write_text(SPEC.replace("SOURCE", source), encoding="utf-8")
    code, _, err = invoke("apply", str(spec))
    assert code == 0, err


def test_a_transform_one_level_too_high_is_proposed_approved_and_the_run_succeeds(
    home: Path, tmp_path: Path
) -> None:
    _apply(tmp_path, "inputs.feed")
    code, payload = invoke_json("run", "digest")
    assert payload["run"]["status"] == "waiting_repair", payload
    run_id = payload["run"]["id"]

    code, shown = invoke_json("repair", run_id)

    assert code == 0, shown
    text = str(shown)
    assert "-source: inputs.feed" in text and "+source: inputs.feed.items" in text

    code, payload = invoke_json("repair", run_id, "--approve")

    assert code == 0, payload
    assert (payload["run"]["status"], payload["run"]["version_number"]) == ("succeeded", 2)
    assert [r["title"] for r in payload["run"]["output"]["top"]["result"]] == ["stocks", "rates"]


@pytest.mark.slow
@pytest.mark.real_llm
def test_the_local_model_repairs_a_transform_op_and_the_run_resumes(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A number compared with text (`'5'`): no fixer knows types; one right reading."""
    monkeypatch.setenv("MWO_HEALING_TIME_S", "600")
    spec = tmp_path / "digest.mwo.yaml"
    text = SPEC.replace("SOURCE", "inputs.feed.items").replace(
        "  ops:\n", "  ops:\n  - {op: filter, where: \"item.score > '5'\"}\n"
    )
    spec.write_text(text.replace("best score first", "scoring above 5, best score first"), encoding="utf-8")
    assert invoke("apply", str(spec))[0] == 0
    code, payload = invoke_json("run", "digest")
    assert payload["run"]["status"] == "waiting_repair", payload

    code, payload = invoke_json("repair", payload["run"]["id"], "--approve")

    assert code == 0, payload
    assert payload["run"]["status"] == "succeeded" and payload["run"]["version_number"] == 2
    assert [r["title"] for r in payload["run"]["output"]["top"]["result"]] == ["stocks"]
