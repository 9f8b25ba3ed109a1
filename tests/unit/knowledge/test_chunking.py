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


def test_the_paragraph_introducing_a_code_block_travels_with_it(korean: KoreanText) -> None:
    story = "기상청 격자 설명. " * 12
    lead = "The constants of the grid, then the function:"
    code = "```python\n" + "x = 1\n" * 40 + "```"
    text = f"{story}\n\n{lead}\n\n{code}"
    chunks = Chunker(korean, max_chars=300).split([Section(text, heading="Grid")])
    with_code = [c.text for c in chunks if "```python" in c.text]
    assert len(with_code) == 1
    assert lead in with_code[0]  # not left behind as a chunk of its own
    assert not any(c.text.strip() == f"Grid\n{lead}" for c in chunks)
    assert chunks[0].text.startswith("Grid\n기상청")


def test_a_long_paragraph_before_a_code_block_is_not_carried(korean: KoreanText) -> None:
    lead = "설명 문장입니다. " * 17  # over half the budget: a section of its own, not a lead-in
    code = "```\n" + "y = 2\n" * 40 + "```"
    chunks = Chunker(korean, max_chars=300).split([Section(f"{lead.strip()}\n\n{code}", heading="H")])
    assert len(chunks) == 2
    assert "```" not in chunks[0].text and chunks[1].text.startswith("H\n```")


def test_a_tiny_closing_sentence_joins_the_chunk_before(korean: KoreanText) -> None:
    code = "```yaml\n" + "key: value\n" * 30 + "```"
    tail = "Then pass the token on."
    chunks = Chunker(korean, max_chars=300).split([Section(f"{code}\n\n{tail}", heading="In MWO")])
    assert len(chunks) == 1
    assert chunks[0].text.endswith(tail)
    # a closing piece of real size keeps its own chunk
    long_tail = "그 다음 단계에서 토큰을 넘긴다. " * 6
    chunks = Chunker(korean, max_chars=300).split(
        [Section(f"{code}\n\n{long_tail.strip()}", heading="In MWO")]
    )
    assert len(chunks) == 2


def test_markdown_lists_and_tables_are_split_between_lines_not_inside_them(korean: KoreanText) -> None:
    intro = "Strings may contain templates `{{ ... }}` (sandboxed). What a template can see:"
    items = [f"- `steps.<id{i}>.output...`: outputs of earlier steps, number {i}" for i in range(8)]
    items[3] += "\n  continued on an indented line"
    table = [f"| WSD{i} | 풍속 (wind speed) | m/s |" for i in range(8)]
    text = "\n".join([intro, *items, *table])
    chunks = Chunker(korean, max_chars=300).split([Section(text, heading="H")])
    assert len(chunks) > 1
    body = [line for c in chunks for line in c.text.splitlines() if line != "H"]
    assert body == text.splitlines()  # every line whole, in order, nothing moved between pieces
    assert any(f"{items[3]}" in c.text for c in chunks)  # an item stays with its continuation


def test_a_single_item_over_the_budget_is_split_by_its_lines(korean: KoreanText) -> None:
    item = "- item\n" + "\n".join(f"  continuation line number {i} of a long item" for i in range(20))
    chunks = Chunker(korean, max_chars=200).split([Section(item + "\nlast line", heading="H")])
    body = [line for c in chunks for line in c.text.splitlines() if line != "H"]
    assert body == (item + "\nlast line").splitlines()
