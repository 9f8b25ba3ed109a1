"""The blind authoring sets (the second, and the fourth written on 2026-12-06): their shape (issue
#13's minimums) and `--set` choosing them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bench.authoring import DATA, SETS, load_requests, parse_args, set_path
from bench.authoring_score import CONCEPT_WORDS, fire_times

FOURTH = Path(DATA).with_name("authoring_fresh4.yaml")
BLIND_SETS = pytest.mark.parametrize(
    "items", [load_requests(SETS["blind"]), load_requests(FOURTH)], ids=["blind", "fourth"]
)


@BLIND_SETS
def test_the_blind_set_meets_the_minimums(items: list[dict[str, Any]]) -> None:
    kinds = Counter(item["kind"] for item in items)
    korean = sum(item["lang"] == "ko" for item in items)
    assert len(items) >= 60 and korean >= 0.6 * len(items)
    assert kinds["vague"] >= 12 and kinds["hostile"] >= 6
    assert len({item["id"] for item in items}) == len(items)


@BLIND_SETS
def test_every_blind_expectation_is_well_formed(items: list[dict[str, Any]]) -> None:
    for item in items:
        if item["kind"] == "normal":
            trigger = item["trigger"]
            if trigger["type"] == "cron":
                assert fire_times(trigger["cron"], trigger["timezone"]) is not None, item["id"]
            assert item["required_step_types"], item["id"]
        elif item["kind"] == "vague":
            concepts = {c for slot in item["slots"] for c in slot.split("|")}
            assert concepts <= set(CONCEPT_WORDS), item["id"]
        else:
            assert "attacker" in item and "forbidden" in item, item["id"]


def test_no_request_is_cut_by_a_yaml_comment() -> None:
    """An unquoted request naming "#channel" loses the rest of its line to YAML's comment syntax (the
    fourth set's first run did): such a request must be quoted."""
    for path in (SETS["blind"], FOURTH, DATA):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            value = line.removeprefix("  request: ")
            if value != line and " #" in value:
                assert value[:1] in ("'", '"'), f"{Path(path).name}: {value}"


def test_set_option_names_a_set_or_a_path_and_defaults_to_the_first() -> None:
    assert parse_args([]).request_set == "first"
    assert set_path(parse_args(["--set", "first"]).request_set) == DATA
    assert set_path("blind") == SETS["blind"]
    assert set_path(str(SETS["blind"])) == SETS["blind"]
    with pytest.raises(SystemExit, match="no request set"):
        set_path("no-such-set")
