"""Screen rules for requests that send something out where the user should not: a hidden copy to
another address, and a system or credential folder uploaded to an address.

They look at what is sent and how, not at a list of sentences: a hidden recipient ("bcc", "숨은참조",
"몰래 ... 에도 보내") tied to an address, whatever the content; a folder of the machine's settings or
logins (/etc, ~/.config, ~/.aws, a browser profile) with a send verb and an address. The safety
screen (safety.py) turns a match into a refusal; here only the evidence is found.
"""

from __future__ import annotations

import re

# Addresses are replaced by this token first, so a dot inside one does not end a sentence and a
# long address does not stretch the distance between the words around it.
_ADDR = "⟪addr⟫"
_ADDRESS = re.compile(
    r"(?:https?|s?ftp|s3|gs|scp|rsync|webdav)://\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?::\S*)?",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n")

# A copy to a recipient the sender hides: the blind copy itself.
_BLIND_COPY = re.compile(
    r"\bbcc\b|\bblind[ -](?:carbon[ -])?cop(?:y|ies)|\bhidden (?:cop(?:y|ies)|recipients?)"
    r"|숨은\s*(?:참조|수신자?)|비밀\s*참조",
    re.IGNORECASE,
)
_NO_BLIND_COPY = re.compile(
    r"(?:\bno|\bwithout(?: an?| any)?|\bdon'?t|\bdo not|\bnever)\s+(?:\w+\s+)?(?:bcc|blind|hidden)"
    r"|(?:숨은\s*참조|비밀\s*참조|bcc)\S{0,2}\s*(?:없이|말고|빼고|하지\s*말)",
    re.IGNORECASE,
)
# Words that make a send secret. "quietly"/"조용히" are left out: they usually mean "without an
# alert" ("매일 아침 조용히 날씨 알려줘"), not "without the others knowing".
_SECRECY = re.compile(
    r"\bsecretly\b|\bcovertly\b|\bdiscreetly\b|\bon the sly\b|\bbehind (?:\w+ ){0,2}backs?\b"
    r"|\bwithout (?:\w+ ){0,2}(?:telling|letting|knowing|noticing)\b|\bunbeknownst\b"
    r"|\bdon'?t tell\b|\bdo not tell\b|\bdon'?t let (?:\w+ ){0,3}know\b|\bnever tell\b"
    r"|\bkeep (?:it|this|that) (?:a )?secret\b|\b(?:it'?s|this is) (?:a |our )?secret\b"
    r"|몰래|은밀히|슬쩍|모르게|티\s*(?:안\s*나게|나지\s*않게)|들키지|비밀로|비밀인데|비밀이니|비밀이야"
    r"|말하지\s*마",
    re.IGNORECASE,
)
_COPY_VERB = re.compile(
    r"\b(?:bcc|cc|cop(?:y|ies|ied)|forward|send|sent|mail|e-?mail|post|upload|share|add|include|put)"
    r"|전달|보내|보낼|참조|복사|넘겨|공유|전송|올려|올리|업로드|메일|넣어|넣고|추가",
    re.IGNORECASE,
)

# Folders that hold the machine's settings or someone's logins: the system's own (/etc, /root),
# the hidden folders and files of a home (~/.config, ~/.aws, ~/.gnupg, ...), browser profiles and
# keychains. /etc and /root count as a whole (a file in them, /etc/hosts, is checked by other rules).
_SYSTEM_FOLDER = re.compile(
    r"(?<![\w.~/-])/(?:etc|root|var/lib|proc|boot)/?\*?(?=[\s,;:)'\"가-힣]|\.(?:\s|$)|$)"
    r"|(?:~|\$HOME|/home/[\w.-]+|/Users/[\w.-]+)/\.[\w-]+"
    r"|(?<![\w.])\.(?:config|aws|azure|gcloud|gnupg|kube|docker|password-store|mozilla|thunderbird"
    r"|local/share/keyrings|netrc|git-credentials|npmrc|pypirc)\b"
    r"|Library/(?:Keychains|Application Support)|AppData|keychains?|키체인"
    r"|(?:browser|chrome|firefox|edge|safari|whale)(?:'s)? (?:user )?(?:profiles?|data folder|user data)"
    r"|(?:브라우저|크롬|파이어폭스|엣지|사파리|웨일)\s*(?:프로필|사용자\s*데이터)"
    r"|(?:whole|entire|all of (?:my|the)) home (?:folder|directory)"
    r"|홈\s*(?:폴더|디렉터리|디렉토리)\s*(?:전체|통째|전부)"
    r"|system (?:config(?:uration)? )?(?:folders?|directories)"
    r"|시스템\s*(?:설정\s*)?(?:폴더|디렉터리|디렉토리)",
    re.IGNORECASE,
)
_UPLOAD_VERB = re.compile(
    r"\b(?:put|post|upload|send|sync|push|copy|mirror|transfer|ship|scp|rsync|curl|wget|mail"
    r"|e-?mail|forward|back\s*(?:it |them )?up)"
    r"|전송|보내|올려|올리|업로드|백업|동기화|복사|넘겨|메일",
    re.IGNORECASE,
)


def _sentences(text: str) -> list[str]:
    """The text cut into sentences, with each address replaced by one token."""
    return [s for s in _SENTENCE_END.split(_ADDRESS.sub(f" {_ADDR} ", text)) if s.strip()]


def _near(sentence: str, start: int, end: int, reach: int) -> str:
    return sentence[max(0, start - reach) : end + reach]


def hidden_recipient(text: str) -> str | None:
    """Evidence that the request copies something to an address it hides ("bcc x@y", "x@y 에도
    숨은참조로", "secretly forward it to x@y", "몰래 x@y 로도 보내"), or None.

    A blind copy counts when an address is next to it; a word of secrecy when an address and a
    copy verb are both next to it. Naming two recipients openly ("a@x 랑 b@y 에", "cc boss@x") is
    no hidden copy, nor is a blind copy the request declines ("no bcc", "숨은참조 없이")."""
    for sentence in _sentences(text):
        for blind in _BLIND_COPY.finditer(sentence):
            around = _near(sentence, blind.start(), blind.end(), 40)
            if _ADDR in around and not _NO_BLIND_COPY.search(around):
                return blind.group(0)
        for secret in _SECRECY.finditer(sentence):
            around = _near(sentence, secret.start(), secret.end(), 60)
            if _ADDR in around and _COPY_VERB.search(around):
                return secret.group(0)
    return None


def system_folder_upload(text: str) -> str | None:
    """Evidence that the request sends a system or credential folder to an address ("tar /etc and
    PUT it to https://...", "~/.aws 폴더를 압축해서 x@y 로 보내"), or None.

    The folder, a send verb and an address must share a sentence: uploading a data file the user
    names (a report in a project folder) is not this, nor is reading a folder without sending it."""
    for sentence in _sentences(text):
        folder = _SYSTEM_FOLDER.search(sentence)
        if folder and _ADDR in sentence and _UPLOAD_VERB.search(sentence):
            return folder.group(0)
    return None
