"""`mwo llm` as a user drives it: status (no load), chat streamed on the fake, errors with their fix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mwo.cli import app
from mwo.llm.model_files import MODEL_SHA256
from mwo.settings import Settings
from mwo.store import open_store


def test_status_reports_the_local_model_without_loading_it(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_MODEL_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(app, ["llm", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["provider"] == "local" and status["sha256"] == MODEL_SHA256
    assert status["path"] == str(tmp_path / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    assert (status["assembled"], status["loaded"], status["parts_installed"]) == (False, False, "22/22")


def test_a_corrupt_model_file_says_to_pull(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf").write_bytes(b"GGUF not really")
    monkeypatch.setenv("MWO_LLM_MODEL_DIR", str(models))
    result = CliRunner().invoke(app, ["llm", "chat", "hello"])
    assert result.exit_code == 1
    assert "mwo llm pull" in result.stderr


def test_chat_streams_and_traces(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "fake")  # the fake echoes the prompt
    result = CliRunner().invoke(app, ["llm", "chat", "echo this back"])
    assert result.exit_code == 0, result.output
    assert "echo this back" in result.stdout
    store = open_store(Settings(_env_file=None))  # type: ignore[call-arg]
    try:
        [row] = store.list_llm_calls()
    finally:
        store.close()
    assert (row.caller, row.prompt) == ("cli:chat", "user: echo this back")


def test_an_unreachable_endpoint_names_the_setting(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MWO_LLM_PROVIDER", "openai")
    monkeypatch.setenv("MWO_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MWO_LLM_MODEL", "m")
    result = CliRunner().invoke(app, ["llm", "chat", "hi"])
    assert result.exit_code == 1
    assert "MWO_LLM_BASE_URL" in result.stderr


@pytest.mark.slow
def test_ctrl_c_stops_a_long_chat_on_the_real_model_cleanly(home: Path) -> None:
    """A ~2,000-token prompt takes half a minute or more to process here; Ctrl-C a few seconds in
    must end the command as interrupted (exit 130), not with a traceback or after the answer."""
    prompt = " ".join(f"item {i} costs {i * 7 % 100} won." for i in range(250)) + " Which costs most?"
    env = {**os.environ, "MWO_HOME": str(home)}
    chat = subprocess.Popen(
        [sys.executable, "-m", "mwo", "llm", "chat", prompt, "--max-tokens", "50"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(
            signal.SIGINT, signal.SIG_DFL
        ),  # a shell's background job ignores it
    )
    _wait_until_the_model_is_loaded(chat)  # then the ~2,000-token prompt is being processed
    chat.send_signal(signal.SIGINT)
    output, _ = chat.communicate(timeout=300)
    assert chat.returncode == 130, output
    assert "Traceback" not in output
    assert "qwen2.5-coder" not in output  # no "model · N s" footer: the answer was not finished


def _wait_until_the_model_is_loaded(process: subprocess.Popen[str], limit_s: float = 240.0) -> None:
    """Until the GGUF is mapped into the process: a fixed sleep was flaky (on a busy machine the
    imports alone took longer, and Ctrl-C then hit them, not the model)."""
    maps = Path(f"/proc/{process.pid}/maps")
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and process.poll() is None:
        if ".gguf" in maps.read_text(errors="replace"):
            time.sleep(1.0)  # into prompt processing, which takes half a minute or more
            return
        time.sleep(0.2)
    raise AssertionError(f"the model was not loaded within {limit_s:.0f} s (exit {process.poll()})")
