"""`mwo kb ...` as a user drives it (Typer CliRunner, real home, real models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mwo.cli import app


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MWO_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
        result = runner.invoke(app, ["kb", *args])
        payload = json.loads(result.stdout) if "--json" in args and result.stdout.strip() else {}
        return result.exit_code, payload

    return invoke


@pytest.mark.slow
def test_kb_cli_round_trip(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, found = run("search", "기상청 단기예보 강수확률 코드", "--json")  # initialises the packs itself
    assert code == 0 and found["ok"] is True
    assert len(found["passages"]) == 5
    first = found["passages"][0]
    assert {"chunk_id", "doc_id", "domain", "text", "source", "score", "found_by"} <= set(first)
    assert first["domain"] == "kma" and "kma" in found["domains"] and "common" in found["domains"]

    code, detected = run("detect", "내일 비 오면 카톡으로 보내줘", "--json")
    assert code == 0 and set(detected["detected"]) == {"kma", "kakao"}
    assert detected["matches"][0]["confidence"] >= detected["threshold"]

    note = tmp_path / "wifi.md"
    note.write_text("# 사내 와이파이\n\n게스트 와이파이 비밀번호는 안내 데스크에서 받는다.\n")
    code, added = run("add", str(note), "--domain", "office", "--json")
    assert code == 0 and added["results"][0]["status"] == "added"
    doc_id = added["results"][0]["document"]["doc_id"]
    code, again = run("add", str(note), "--domain", "office", "--json")
    assert again["results"][0]["status"] == "duplicate"

    code, found = run("search", "게스트 와이파이 비밀번호", "--domain", "office", "--k", "1", "--json")
    assert [p["doc_id"] for p in found["passages"]] == [doc_id]

    code, domains = run("domains", "--json")
    assert {"naver", "kma", "kakao", "common", "office"} <= {d["domain"] for d in domains["domains"]}
    code, stats = run("stats", "--json")
    assert stats["initialised"] is True and stats["documents"] >= 22
    assert [d["doc_id"] for d in stats["user_documents"]] == [doc_id]

    code, removed = run("remove", doc_id, "--json")
    assert code == 0 and removed["removed"]["doc_id"] == doc_id
    code, missing = run("remove", doc_id, "--json")
    assert code == 1 and missing["error"]["code"] == "unknown_document" and missing["error"]["fix"]


def test_kb_cli_errors_are_one_line_with_fix(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 nonsense")
    code, payload = run("add", str(bad), "--domain", "office", "--json")
    assert code == 1
    assert payload["error"]["code"] == "unreadable_document"
    assert payload["error"]["fix"]
