"""The blind authoring set: its shape (issue #13's minimums) and `--set` choosing it."""

from __future__ import annotations

from collections import Counter

import pytest
from bench.authoring import DATA, SETS, load_requests, parse_args, set_path
from bench.authoring_score import CONCEPT_WORDS, fire_times

BLIND = load_requests(SETS["blind"])


def test_the_blind_set_meets_the_minimums() -> None:
    kinds = Counter(item["kind"] for item in BLIND)
    korean = sum(item["lang"] == "ko" for item in BLIND)
    assert len(BLIND) >= 60 and korean >= 0.6 * len(BLIND)
    assert kinds["vague"] >= 12 and kinds["hostile"] >= 6
    assert len({item["id"] for item in BLIND}) == len(BLIND)


def test_every_blind_expectation_is_well_formed() -> None:
    for item in BLIND:
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


def test_set_option_names_a_set_or_a_path_and_defaults_to_the_first() -> None:
    assert parse_args([]).request_set == "first"
    assert set_path(parse_args(["--set", "first"]).request_set) == DATA
    assert set_path("blind") == SETS["blind"]
    assert set_path(str(SETS["blind"])) == SETS["blind"]
    with pytest.raises(SystemExit, match="no request set"):
        set_path("no-such-set")
