"""`mwo config show|set|unset` as a user drives them: values checked before they are saved, the file
read back by every command, an environment variable named when it outvotes a saved value, and a
broken file reported as one line with the fix by any command (not a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mwo.settings import Settings
from tests.e2e.cli_support import invoke, invoke_json

MODEL_VARIABLES = ("MWO_LANGUAGE", "MWO_TIMEZONE", "MWO_LLM_PROVIDER", "MWO_LLM_BASE_URL", "MWO_LLM_MODEL")


@pytest.fixture(autouse=True)
def clean_environment(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the working tree
    for name in MODEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_set_then_show_and_every_command_reads_it(home: Path) -> None:
    assert invoke("config", "set", "timezone", "Europe/Berlin")[0] == 0
    assert invoke("config", "set", "llm_base_url", "http://localhost:11434/v1")[0] == 0
    assert invoke("config", "set", "llm_model", "llama3.1")[0] == 0
    code, out, _ = invoke("config", "set", "llm_provider", "openai")
    assert code == 0 and f"llm_provider saved as openai in {home / 'settings.yaml'}" in " ".join(out.split())
    code, shown = invoke_json("config", "show")
    rows = {row["key"]: row for row in shown["settings"]}
    assert code == 0 and shown["file"] == str(home / "settings.yaml")
    assert rows["timezone"] == {
        "key": "timezone",
        "value": "Europe/Berlin",
        "saved": "Europe/Berlin",
        "default": "Asia/Seoul",
        "overridden_by": None,
    }
    assert rows["llm_provider"]["value"] == "openai" and rows["language"]["saved"] is None
    settings = Settings()
    assert (settings.llm_provider, settings.llm_model) == ("openai", "llama3.1")


def test_unset_returns_to_the_default(home: Path) -> None:
    invoke("config", "set", "language", "ko")
    code, payload = invoke_json("config", "unset", "language")
    assert code == 0 and payload["setting"]["value"] == "en" and payload["setting"]["saved"] is None
    assert Settings().language == "en"


def test_an_environment_variable_that_wins_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("config", "set", "language", "ko")
    monkeypatch.setenv("MWO_LANGUAGE", "en")
    code, out, _ = invoke("config", "show")
    assert code == 0 and "language = en" in out and "from MWO_LANGUAGE, which wins" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("timezone", "Mars/Olympus"), "not an IANA time zone"),
        (("llm_base_url", "localhost:11434"), "not an http(s) URL"),
        (("llm_provider", "openai"), "needs its URL"),
        (("llm_api_key", "sk-1"), "not a setting that can be saved here"),
    ],
)
def test_bad_values_are_one_line_with_the_fix_and_not_saved(
    home: Path, args: tuple[str, str], says: str
) -> None:
    code, payload = invoke_json("config", "set", *args)
    assert code == 1 and says in payload["error"]["message"] and payload["error"]["fix"]
    assert payload["error"]["code"] == "setting_invalid"
    code, _, err = invoke("config", "set", *args)
    assert code == 1 and "fix:" in err
    assert not (home / "settings.yaml").exists()


def test_a_broken_file_is_reported_by_any_command(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "settings.yaml").write_text("language: [ko\n", encoding="utf-8")
    code, payload = invoke_json("config", "show")
    assert code == 1 and payload["error"]["code"] == "settings_file"
    code, _, err = invoke("secrets", "list")
    assert code == 1 and "not readable YAML" in err and "fix:" in err and "Traceback" not in err
