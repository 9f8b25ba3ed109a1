"""Any mix of the grammar's own words parses without error into a cron that fires (or into nothing)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from mwo.authoring.schedule import next_fire_times, parse_schedule

_WORDS = (
    "매일|평일|주말|매주|격주|매월|매달|매년|말일|월말|마지막|첫째|주|월요일|수|금요일|월수금|월~금|오전|오후"
    "|아침|저녁|밤|새벽|점심|정오|자정|시|분|반|마다|간격|에|부터|까지|제외|일|월|하루|번|런던 시간|KST|UTC+9"
    "|every|day|at|weekday|weekends|Monday|and|Fri|on|the|1st|15th|of|each|month|end|last|minutes|hours|hourly"
    "|twice|a|noon|midnight|am|pm|except|between|to|New York time|:|~|,|0|1|2|5|7|9|12|13|18|23|24|29|30|31"
    "|45|59|60|90|99|100"
)
WORDS = _WORDS.split("|")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12), st.sampled_from([" ", ""]))
def test_grammar_words_in_any_order(words: list[str], joiner: str) -> None:
    text = joiner.join(words)
    parsed = parse_schedule(text, default_timezone="Asia/Seoul")
    if parsed is not None:
        assert len(next_fire_times(parsed.cron, parsed.timezone, 2, NOW)) == 2, (text, parsed.cron)
        assert parsed.every_weeks in (1, 2)
