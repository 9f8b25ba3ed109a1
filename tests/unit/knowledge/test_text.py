from __future__ import annotations

from mwo.knowledge.text import KoreanText, identifier_tokens


def test_identifier_tokens_split_camel_and_snake_case() -> None:
    assert identifier_tokens("getUltraSrtNcst") == ["getultrasrtncst", "get", "ultra", "srt", "ncst"]
    assert identifier_tokens("base_time") == ["base_time", "base", "time"]
    assert identifier_tokens("news") == ["news"]


def test_korean_particles_and_endings_are_dropped(korean: KoreanText) -> None:
    tokens = korean.keyword_tokens("카톡으로 보내줘")
    assert "카톡" in tokens
    assert "으로" not in tokens
    assert korean.keyword_tokens("내일 비 오면")[:2] == ["내일", "비"]


def test_english_is_lowercased_without_stop_words(korean: KoreanText) -> None:
    assert korean.keyword_tokens("How do I refresh the Kakao token?") == ["refresh", "kakao", "token"]


def test_sentences_split_korean_without_full_stops(korean: KoreanText) -> None:
    sentences = korean.sentences("비가 오면 알려줘요 그리고 우산도 챙겨요. This is English.")
    assert len(sentences) >= 2
    assert sentences[-1] == "This is English."
