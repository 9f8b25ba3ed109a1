"""The first stage: requests MWO will not turn into a workflow, refused with a plain reason.

Rules, not the model, decide this (a prompt injection aimed at the model must not reach it as an
instruction). The validator's policy (forbidden calls, network guard) stays the backstop for what
gets through: this screen is the first guard, never the only one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mwo.authoring.outbound import hidden_recipient, system_folder_upload


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, in both languages, and the rule that matched."""

    rule: str
    reason_ko: str
    reason_en: str
    evidence: str

    def reason(self, language: str) -> str:
        return self.reason_ko if language == "ko" else self.reason_en


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_INJECTION = _any(
    r"ignore (?:all |any |the |your |previous |prior |above )*(?:rules|instructions|policy|policies|guard)",
    r"disregard (?:all |the |your |previous )*(?:rules|instructions)",
    r"(?:규칙|지시|지침|정책|제한)[을를은는이가]?\s*(?:모두\s*|전부\s*|다\s*)?(?:무시|어기|우회)",
    r"system prompt|시스템 프롬프트|jailbreak|탈옥",
    r"(?:bypass|disable|turn off) (?:the )?(?:sandbox|validator|policy|safety)",
    r"(?:샌드박스|검증|보안)[을를]?\s*(?:끄|우회|비활성)",
)
_SECRETS = (
    r"(?:env(?:ironment)?(?: variables?)?|os\.environ|\$env|secrets?|api[ _-]?keys?|tokens?|passwords?"
    r"|credentials?|환경\s*변수|비밀\s*값|비밀번호|시크릿|인증\s*키|토큰|키 값"
    r"|api\s*키|액세스\s*키|접속\s*정보)"
)
_SEND_OUT = (
    r"(?:post|send|upload|exfiltrat|leak|forward|curl|wget|e-?mail|전송|보내|올려|업로드|유출|빼내|넘겨|메일)"
)
_EXFILTRATION = re.compile(
    rf"{_SECRETS}.{{0,60}}{_SEND_OUT}|{_SEND_OUT}.{{0,60}}{_SECRETS}|exfiltrat|유출",
    re.IGNORECASE | re.DOTALL,
)
_URL = re.compile(r"https?://\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A hidden copy to someone else: the words that make a send secret, and a blind copy itself.
_COVERT = (
    r"quietly|secretly|silently|covertly|discreetly|on the sly|behind (?:\w+ ){0,2}backs?"
    r"|without (?:\w+ ){0,2}(?:telling|notifying|letting|knowing|noticing)|unbeknownst"
    r"|\bbcc\b|\bblind (?:carbon )?cop(?:y|ies)|hidden cop(?:y|ies)"
    r"|몰래|조용히|은밀히|슬쩍|모르게|티\s*(?:안|나지\s*않게)|들키지|숨은\s*참조|비밀\s*참조"
)
_PERSONAL = (
    r"personal (?:data|info\w*|details)|\bpii\b"
    r"|customers?'? (?:data|info\w*|emails?|phone numbers|addresses|list)"
    r"|phone numbers|social security|card numbers?|bank accounts?|account numbers?|passports?"
    r"|개인\s*정보|주민\s*(?:등록)?\s*번호|주민번호|전화\s*번호|연락처|카드\s*번호|계좌\s*번호|여권"
    r"|고객\s*(?:정보|데이터|명단|목록)"
)
_COPY_OUT = (
    r"(?:bcc|\bcc\b|cop(?:y|ies)|forward|send|mail|post|upload|share"
    r"|전달|보내|참조|복사|넘겨|공유|전송|올려|업로드|메일)"
)
_COVERT_LEAK = re.compile(
    rf"(?:{_COVERT})[^.!?\n]{{0,80}}?(?:{_SECRETS}|{_PERSONAL})"
    rf"|(?:{_SECRETS}|{_PERSONAL})[^.!?\n]{{0,80}}?(?:{_COVERT})",
    re.IGNORECASE,
)
_SEND_SECRETS_TO = re.compile(
    rf"{_SECRETS}(?:\s*(?:,|and|or|&)\s+(?:the\s+|my\s+|our\s+)?[\w-]+(?:\s+[\w-]+)?)?\s+to\s+"
    rf"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|{_SECRETS}(?:[을를]|\s*(?:도|까지|랑|이랑|와|과))\s*(?:[^.!?\n\s]+\s+){{0,3}}?[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"\S{{0,4}}\s*(?:으로|로|에게|한테|에)?\s*(?:\S+\s+){{0,2}}?{_COPY_OUT}",
    re.IGNORECASE,
)
_DELETE = _any(
    r"rm\s+-[a-z]*[rf]",
    r"(?:delete|remove|wipe|erase|shred)\s+(?:all\s+|every\s+|the\s+)*(?:files?|folders?|directories|director(?:y|ies)|disk|database|home)",
    r"(?:파일|폴더|디렉터리|디렉토리|데이터베이스|디스크|홈)\S{0,3}\s*(?:을|를)?\s*(?:전부\s*|모두\s*|다\s*)?(?:삭제|지워|지우|없애|포맷)",
    r"(?:drop|truncate)\s+(?:table|database)",
    r"format (?:the )?(?:disk|drive)",
)
_PRIVATE_FILES = _any(
    r"\.ssh|id_rsa|id_ed25519|/etc/passwd|/etc/shadow|\.aws/credentials|\.netrc|\.env\b",
    r"private key|개인\s*키|비밀\s*키",
    # the machine's stores of saved logins: browser passwords and cookies, the OS keychain
    r"saved (?:browser |chrome |firefox )?passwords|browser (?:passwords|cookies)|keychain|키체인"
    r"|저장된\s*(?:브라우저\s*)?비밀번호|브라우저\s*(?:비밀번호|쿠키)|login data",
)
_SHELL = _any(
    r"(?:run|execute|exec)\s+(?:a\s+|the\s+|any\s+|arbitrary\s+)*(?:shell|bash|terminal|system)\s*(?:commands?|scripts?)?",
    r"shell commands?|subprocess|os\.system|eval\(|exec\(",
    r"(?:셸|쉘|터미널|시스템)\s*(?:명령|커맨드)",
    r"(?:명령어|커맨드)[을를]?\s*(?:실행|돌려)",
    r"reverse shell|리버스 ?쉘|crypto ?min|코인 ?채굴|채굴기",
)


def screen(request: str) -> Refusal | None:
    """The first rule a request breaks, or None when it may be authored."""
    text = " ".join(request.split())
    checks: list[tuple[str, re.Pattern[str], str, str]] = [
        (
            "prompt_injection",
            _INJECTION,
            "요청에 규칙이나 안전장치를 무시하라는 지시가 있어 워크플로를 만들지 않았습니다.",
            "the request tells MWO to ignore its rules or safety checks, so no workflow was made.",
        ),
        (
            "shell",
            _SHELL,
            "셸 명령 실행은 워크플로로 만들 수 없습니다. 샌드박스의 스크립트는 명령을 실행하지 못합니다.",
            "running shell commands cannot be made into a workflow; sandboxed scripts may not run commands.",
        ),
        (
            "private_files",
            _PRIVATE_FILES,
            "개인 키나 시스템 계정 파일 같은 민감한 파일을 읽어 보내는 워크플로는 만들 수 없습니다.",
            "a workflow that reads private files (keys, system accounts) cannot be made.",
        ),
        (
            "delete_files",
            _DELETE,
            "파일이나 데이터를 지우는 작업은 워크플로로 만들 수 없습니다.",
            "deleting files or data cannot be made into a workflow.",
        ),
    ]
    for rule, pattern, ko, en in checks:
        found = pattern.search(text)
        if found:
            return Refusal(rule, ko, en, found.group(0))
    found = _EXFILTRATION.search(text)
    if found and (_URL.search(text) or "유출" in found.group(0) or "exfiltrat" in found.group(0).lower()):
        return Refusal(
            "exfiltration",
            "환경 변수나 비밀값을 외부 주소로 보내는 워크플로는 만들 수 없습니다.",
            "a workflow that sends environment variables or secrets to an outside address cannot be made.",
            found.group(0),
        )
    return _covert_copy(text) or _outbound(text)


def _covert_copy(text: str) -> Refusal | None:
    """Secrets or personal data copied to an outside address, hidden ("quietly BCC", "몰래 전달") or
    plainly ("send the API keys to x@y"): the recipient is someone else, so no workflow is made.
    A hidden send needs an address or a copy verb near it; reading a key to call an API is no send."""
    covert = _COVERT_LEAK.search(text)
    addressed = _URL.search(text) or _EMAIL.search(text)
    if covert is not None and (addressed or re.search(_COPY_OUT, covert.group(0), re.I)):
        found: re.Match[str] | None = covert
    else:
        found = _SEND_SECRETS_TO.search(text)
    if found is None:
        return None
    return Refusal(
        "covert_copy",
        "비밀값(키, 토큰, 비밀번호)이나 개인정보를 다른 주소로 몰래 또는 따로 보내는 워크플로는 "
        "만들 수 없습니다.",
        "a workflow that copies secrets (keys, tokens, passwords) or personal data to another address, "
        "quietly or openly, cannot be made.",
        found.group(0),
    )


def _outbound(text: str) -> Refusal | None:
    """Any content copied to a hidden recipient, or a system or credential folder uploaded to an
    address (outbound.py finds them): the checks after secrets, so a secret sent gets that reason."""
    hidden = hidden_recipient(text)
    if hidden is not None:
        return Refusal(
            "hidden_copy",
            "다른 주소로 몰래(숨은참조로) 사본을 보내는 워크플로는 만들 수 없습니다. "
            "받는 사람을 모두 드러내 참조로 요청해 주세요.",
            "a workflow that sends a hidden copy (BCC, secretly) to another address cannot be made; "
            "name every recipient openly (CC) instead.",
            hidden,
        )
    folder = system_folder_upload(text)
    if folder is not None:
        return Refusal(
            "system_folder_upload",
            "시스템 설정이나 계정 정보가 든 폴더(/etc, ~/.config, ~/.aws 같은)를 외부 주소로 보내는 "
            "워크플로는 만들 수 없습니다.",
            "a workflow that sends system or credential folders (such as /etc, ~/.config, ~/.aws) "
            "to an outside address cannot be made.",
            folder,
        )
    return None
