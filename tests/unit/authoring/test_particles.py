"""Korean particles chosen by how the word before them ends: a Hangul syllable's final consonant,
a number's last digit as read aloud, and both forms for anything else."""

from __future__ import annotations

import pytest

from mwo.authoring.particles import eun, ro


@pytest.mark.parametrize(
    ("word", "particle"),
    [
        ("메일", "로"),  # ends in ㄹ: 로, like a vowel
        ("슬랙", "으로"),
        ("카카오톡", "으로"),
        ("MWO 받은편지함", "으로"),
        ("웹훅", "으로"),
        ("디스코드", "로"),
        ("경제 ", "로"),  # trailing space ignored
        ("3", "으로"),  # 삼
        ("2", "로"),  # 이
        ("7", "로"),  # 칠
        ("10", "으로"),  # 십
        ("format", "(으)로"),  # read aloud either way: both forms
        ("kim@example.com", "(으)로"),
        ("", "(으)로"),
    ],
)
def test_ro_follows_the_last_sound(word: str, particle: str) -> None:
    assert ro(word) == particle


@pytest.mark.parametrize(
    ("word", "particle"),
    [
        ("아침", "은"),
        ("저녁", "은"),
        ("오후", "는"),
        ("새벽", "은"),
        ("밤", "은"),
        ("4", "는"),
        ("x", "은(는)"),
    ],
)
def test_eun_follows_the_last_sound(word: str, particle: str) -> None:
    assert eun(word) == particle


def test_step_sentences_use_the_particle_their_words_take() -> None:
    from mwo.authoring.explain import step_sentence
    from mwo.spec import workflow_from_data

    workflow = workflow_from_data(
        {
            "name": "digest",
            "steps": [
                {
                    "id": "check",
                    "type": "CONDITION",
                    "branches": [{"when": "1 > 0", "goto": "send"}],
                    "default": "mail",
                },
                {"id": "send", "type": "NOTIFICATION", "channel": "inbox", "body": "hi"},
                {
                    "id": "mail",
                    "type": "NOTIFICATION",
                    "channel": "email",
                    "to": ["kim@example.com"],
                    "body": "hi",
                },
            ],
        }
    )
    check, send, mail = workflow.steps

    assert step_sentence(send, "ko") == "결과를 MWO 받은편지함으로 보냅니다"
    assert step_sentence(mail, "ko") == "결과를 메일 (kim@example.com)로 보냅니다"
    assert step_sentence(check, "ko") == "조건 `1 > 0`이 참이면 send(으)로, 아니면 mail(으)로 갑니다"
