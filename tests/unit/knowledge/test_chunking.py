from __future__ import annotations

from mwo.knowledge.chunking import Chunker, Section, paragraphs
from mwo.knowledge.text import KoreanText


def test_code_fence_with_blank_lines_stays_one_paragraph() -> None:
    text = "intro\n\n```python\nx = 1\n\n# not a heading\ny = 2\n```\n\nafter"
    assert paragraphs(text) == ["intro", "```python\nx = 1\n\n# not a heading\ny = 2\n```", "after"]


def test_long_korean_paragraph_is_split_at_sentences(korean: KoreanText) -> None:
    sentence = "기상청 단기예보는 하루 여덟 번 발표됩니다. "
    chunks = Chunker(korean, max_chars=200).split([Section(sentence * 20, heading="KMA > 발표")])
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.startswith("KMA > 발표\n")
        assert len(chunk.text) <= 200 + len(sentence)
        assert chunk.text.rstrip().endswith(("다.", "다"))  # no sentence is cut in half


def test_records_are_packed_whole(korean: KoreanText) -> None:
    rows = "\n".join(f"지점 row {i}: 지역: 서울; 기온: {i}" for i in range(50))
    chunks = Chunker(korean, max_chars=300).split([Section(rows, records=True, page=2)])
    assert len(chunks) > 1
    assert all(c.page == 2 for c in chunks)
    lines = [line for c in chunks for line in c.text.splitlines()]
    assert lines == rows.splitlines()
