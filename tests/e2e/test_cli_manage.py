"""Managing workflows from the CLI: versions, diff, rollback, enable/disable, folders, tags, stats."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli_support import invoke, invoke_json

SPEC = """\
name: digest
steps:
  - id: tell
    type: NOTIFICATION
    channel: inbox
    subject: digest
    body: "{body}"
"""


def write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "digest.mwo.yaml"
    path.write_text(SPEC.format(body=body), encoding="utf-8")
    return str(path)


def test_versions_diff_and_rollback(home: Path, tmp_path: Path) -> None:
    invoke("apply", write(tmp_path, "first"))
    invoke("apply", write(tmp_path, "second"), "-m", "wording")

    code, listed = invoke_json("versions", "digest")
    assert code == 0 and [(v["number"], v["message"]) for v in listed["versions"]] == [
        (1, ""),
        (2, "wording"),
    ]
    assert "spec_yaml" not in listed["versions"][0]

    code, diff = invoke_json("diff", "digest", "1")
    assert code == 0 and diff["changed"] and diff["steps"] == [{"step": "tell", "change": "changed"}]
    assert "-  body: first\n+  body: second" in diff["diff"]

    code, rolled = invoke_json("rollback", "digest", "1")
    assert (code, rolled["version"], rolled["created"]) == (0, 3, True)
    code, shown = invoke_json("show", "digest")
    assert shown["spec"]["steps"][0]["body"] == "first"

    code, _, err = invoke("diff", "digest", "9")
    assert code == 1 and "has no version 9" in err and "choose a version from 1 to 3" in err


def test_enable_disable_move_tag_and_folders(home: Path, tmp_path: Path) -> None:
    invoke("apply", write(tmp_path, "x"))
    assert invoke_json("disable", "digest")[1]["workflow"]["enabled"] is False
    assert invoke_json("enable", "digest")[1]["workflow"]["enabled"] is True
    assert invoke_json("move", "digest", "team/reports")[1]["workflow"]["folder"] == "team/reports"
    assert [f["path"] for f in invoke_json("folders")[1]["folders"]] == ["team", "team/reports"]
    tagged = invoke_json("tag", "digest", "--add", "daily", "--add", "news")[1]["workflow"]
    assert tagged["tags"] == ["daily", "news"]
    assert invoke_json("tag", "digest", "--remove", "news")[1]["workflow"]["tags"] == ["daily"]
    assert invoke_json("move", "digest")[1]["workflow"]["folder"] is None


def test_stats_after_runs(home: Path, tmp_path: Path) -> None:
    invoke("apply", write(tmp_path, "x"))
    for _ in range(3):
        assert invoke("run", "digest")[0] == 0

    code, stats = invoke_json("stats", "digest", "--since", "1d")

    assert code == 0 and stats["overall"]["total"] == 3
    assert stats["overall"]["success_rate"] == 1.0 and stats["overall"]["duration"]["count"] == 3
    code, out, _ = invoke("stats")
    assert code == 0 and "digest" in out
    code, bad = invoke_json("stats", "--since", "yesterday")
    assert code == 1 and bad["error"]["code"] == "bad_option"
