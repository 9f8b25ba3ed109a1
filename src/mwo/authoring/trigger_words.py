"""How a request says what starts the workflow: a webhook call, a file arriving, a named event.

Data and small matchers only, read by `lexicon.detect_trigger`. Each needs a *receiving* verb, in a
conditional ("받으면", "들어오면", "생기면", "when ... arrives"): "웹훅으로 보내줘" is a notification
channel, "폴더에 들어온 파일" (past) is a source, and "비가 오면" is a condition.
"""

from __future__ import annotations

import re
from typing import Final

_KO_RECEIVE = (
    r"(?:받으면|받을\s*때|받을\s*때마다|받는\s*즉시|오면|올\s*때|올\s*때마다|들어오면|들어올\s*때|수신되면|수신하면"
    r"|호출되면|호출하면|도착하면|생기면|생길\s*때|올라오면|추가되면|저장되면|업로드되면|생성되면|떨어지면|발생하면"
    r"|발생할\s*때|들어오는\s*대로|들어올\s*때마다|떨어질\s*때|넘어오면|넘어올\s*때|날아오면|날아올\s*때"
    r"|쏘면|쏠\s*때|때리면|추가될\s*때|저장될\s*때|업로드될\s*때|생성될\s*때|도착할\s*때|수신될\s*때)"
)
_EN_RECEIVE = (
    r"(?:is\s+|are\s+|gets\s+)?(?:received|receives?|arrives?|arriving|lands?|comes?\s+in|is\s+called|gets?\s+called"
    r"|fires|hits|appears?|shows?\s+up|is\s+added|are\s+added|added|created|saved|uploaded|dropped|drops?\s+in(?:to)?"
    r"|emitted"
    r"|happens|occurs)"
)
_EN_WHEN = (
    r"(?:when(?:ever)?|each\s+time|every\s+time|as\s+soon\s+as|once|on\s+(?:every|each)|for\s+(?:every|each))"
)

# Receiving said with the webhook ("웹훅으로 받아서", "결제 웹훅을 받고"), or an arrival said right before
# it ("주문이 들어오면 웹훅으로"): the webhook is what starts the run.
_KO_HOOK_TAKE = (
    r"(?:으로|을|를|이|가|로)?\s*(?:받아서|받아|받고|받는\s*대로|수신해서|수신하고"
    r"|받은\s*(?:뒤|후|다음|내용|데이터))"
)
_KO_ARRIVAL = r"(?:들어오면|들어올\s*때(?:마다)?|들어오는\s*대로|접수되면|접수될\s*때(?:마다)?|도착하면)"

# "훅" alone is the webhook only as a noun: with a particle or an address after it ("훅으로 넘어오면",
# "훅 주소로"), never inside a word ("레프트훅") or as the adverb ("가격이 훅 떨어지면").
_KO_HOOK = r"(?<![가-힣])훅(?=으로|로|을|를|이|가|에|의|\s*(?:주소|URL|url|엔드포인트|링크))"
# A call to our side arriving, said without the word webhook: "그 호출이 들어오면", "우리 쪽 URL을
# 호출하면", "엔드포인트로 POST를 쏘면".
_KO_CALL_IN = (
    r"(?<![가-힣])호출(?:이|가)\s*(?:들어오면|들어올\s*때|들어오는\s*대로|오면|올\s*때|도착하면)"
    r"|(?:우리|저희|제|내)\s*(?:쪽\s*|측\s*)?(?:URL|url|주소|엔드포인트|서버)\s*(?:을|를|로|으로|에)?\s*"
    r"(?:[^.!?\n]{0,12}?)(?:호출하면|호출되면|호출할\s*때|쏘면|쏠\s*때|때리면)"
    r"|POST\s*(?:요청\s*)?(?:을|를|이|가|로)?\s*(?:쏘면|쏠\s*때|날리면|때리면|보내오면|보내올\s*때)"
)
# Asked to open an address for others to call: "웹훅 주소를 하나 열어 두고", "expose a webhook for ...".
_OPEN_HOOK = (
    r"(?:웹훅|{hook})\s*(?:주소|URL|url|엔드포인트)?\s*(?:을|를)?\s*(?:하나\s*)?(?:열어|노출|발급|파\s*(?:줘|주|서|고))"
    r"|\b(?:expose|open|give\s+me|provide|create|set\s+up|spin\s+up|stand\s+up)\s+(?:an?\s+|the\s+|our\s+|my\s+)?"
    r"(?:incoming\s+|public\s+|new\s+|inbound\s+)?(?:webhook|hook)(?:\s+(?:url|endpoint|address))?"
    r"(?!\s+(?:to|for|on|in)\s+(?:slack|discord)\b)(?=\s+(?:for|that|which|so|where|our|to\s+receive)\b|\s*[;:,.]|\s*$)"
).replace("{hook}", _KO_HOOK)
# "when the form POSTs to our endpoint", "each time CI calls our URL": someone else calls us.
_EN_CALL_IN = (
    r"\b(?:posts?|calls?|hits?|pings?|sends?\s+(?:an?\s+)?(?:POST|request|requests))\s+(?:to\s+)?(?:our|my)\s+"
    r"(?:\w+\s+)?(?:url|endpoint|hook|webhook|address|server)\b"
)

WEBHOOK: Final = re.compile(
    rf"(?:웹훅|webhook|{_KO_HOOK}|\bhook|POST\s*요청|HTTP\s*요청)[^.!?\n]{{0,24}}?{_KO_RECEIVE}"
    rf"|{_KO_CALL_IN}|{_OPEN_HOOK}|{_EN_WHEN}\s[^!?\n]{{0,60}}?{_EN_CALL_IN}"
    rf"|(?:웹훅|webhook)\s*{_KO_HOOK_TAKE}|{_KO_ARRIVAL}\s*(?:[^.!?\n]{{0,6}}?)(?:웹훅|webhook)"
    rf"|(?:웹훅|webhook)\s*(?:트리거|으로\s*(?:시작|실행|트리거))"
    rf"|(?:^|[.;:!?]\s*|,\s*)on\s+(?:the|our|my|each|every|a|an|any)\s+(?:incoming\s+)?webhook\b"
    rf"|\b(?:triggered|started|kicked\s+off|fired|run)\s+(?:by|via|from|on)\s+(?:an?\s+|the\s+|our\s+|my\s+)?"
    rf"(?:incoming\s+)?webhook|\bwebhook[- ](?:triggered|driven|based)\b|\bwebhook\s+trigger\b"
    rf"|\blisten(?:s|ing)?\s+(?:for|to|on)\s+(?:an?\s+|the\s+|our\s+)?(?:incoming\s+)?webhooks?\b"
    rf"|{_EN_WHEN}\s+(?:an?\s+|the\s+|my\s+)?(?:incoming\s+)?(?:webhook|POST\s+request|HTTP\s+request)"
    rf"(?:\s+{_EN_RECEIVE})?"
    rf"|\b(?:webhook|POST\s+request)\s+{_EN_RECEIVE}|\bincoming\s+webhooks?\b|\bon\s+(?:a\s+)?webhook\b"
    rf"|\breceives?\s+(?:a\s+)?webhook\b|\bvia\s+(?:a\s+)?webhook\s+(?:call|trigger)\b"
    rf"|{_EN_WHEN}\s[^!?\n]{{0,60}}?{_EN_RECEIVE}\s+(?:by|via|through|over|on|from)\s+(?:an?\s+|the\s+|our\s+)?webhook"
    rf"|{_EN_WHEN}\s[^!?\n]{{0,60}}?\b(?:posts?|sends?|calls?|hits?)\s+(?:to\s+)?(?:an?\s+|our\s+|the\s+|my\s+)?"
    rf"webhook",
    re.IGNORECASE | re.ASCII,
)
_FILE_NOUN = (
    r"(?:파일|폴더|디렉터리|디렉토리|csv|CSV|엑셀|xlsx|pdf|PDF|json|JSON|hwp|HWP|docx|문서|이미지|사진|영수증"
    r"|송장|인보이스)"
)
_EN_FILES = (
    r"\.?(?:files?|csvs?|pdfs?|jpe?gs?|pngs?|xlsx|json|spreadsheets?|documents?|images?|photos?|invoices?"
    r"|receipts?)\b"
)
FILE: Final = re.compile(
    rf"{_FILE_NOUN}[^!?\n]{{0,30}}?{_KO_RECEIVE}"
    rf"|{_EN_WHEN}\s+(?:a\s+|an\s+|the\s+|new\s+|any\s+)*(?:\.?\w+\s+)?"
    rf"\.?(?:files?|csvs?|pdfs?|jpe?gs?|pngs?|xlsx|json|spreadsheets?|documents?|images?|photos?|invoices?"
    rf"|receipts?)\b[^!?\n]{{0,60}}?"
    rf"{_EN_RECEIVE}"
    rf"|\bnew\s+(?:\w+\s+)?files?\s+(?:in|into|to|under)\s+(?:the\s+|my\s+)?(?:folder|directory|dir|~|/)"
    # "watch ~/in for incoming .csv files", "monitor the folder /data for new PDFs"
    rf"|\b(?:watch|monitor|keep\s+an\s+eye\s+on)\s+[^;!?\n]{{0,80}}?\bfor\s+(?:any\s+)?(?:new|incoming|arriving|fresh)"
    rf"\s+(?:\.?\w+\s+)?{_EN_FILES}"
    rf"|\bincoming\s+(?:\.?\w+\s+)?{_EN_FILES}\s+(?:in|into|to|under|at)\s+(?:the\s+|my\s+)?(?:folder|directory|dir|~|/)",
    re.IGNORECASE | re.ASCII,
)
# Dotted names that end like a host or a file are not event names (naver.com, report.csv).
NOT_EVENT_ENDINGS: Final = frozenset(
    {"com", "net", "org", "kr", "io", "co", "dev", "ai", "me", "app", "py", "csv", "json", "txt", "pdf",
     "xlsx", "xls", "md", "html", "yaml", "yml", "jpg", "png", "gov", "edu", "go"}
)  # fmt: skip
EVENT_NAME: Final = re.compile(r"(?<![\w./@:-])([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)(?![\w/@-]|\.\w)")
EVENT_WORDS: Final = re.compile(
    rf"이벤트|\bevents?\b|{_KO_RECEIVE}|{_EN_RECEIVE}|\bon\b", re.IGNORECASE | re.ASCII
)
NAMED_EVENT: Final = re.compile(
    r"(?<![\w.\-])([\w.\-]{1,60})\s*이벤트(?:가|이)?\s*(?:오면|발생하면|들어오면|받으면|올\s*때|발생할\s*때)"
    r"|\b(?:on|when|whenever)\s+(?:the\s+|an?\s+)?([\w.\-]{1,60})\s+event\b",
    re.IGNORECASE,
)
GENERIC_EVENT: Final = re.compile(
    r"이벤트(?:가|이)?\s*(?:오면|발생하면|들어오면|올\s*때|발생할\s*때)|이벤트\s*(?:중에서|중|마다|때마다)"
    r"|\b(?:when(?:ever)?|on)\s+(?:an?\s+|the\s+)?event\s+(?:arrives|is\s+emitted|fires|comes\s+in|happens)",
    re.IGNORECASE | re.ASCII,
)
RUN_EVENT: Final = re.compile(
    r"(?:(?:만약|만일)\s*)?(?:워크플로\w*|실행|작업)[^.!?\n]{0,20}?"
    r"(성공하면|끝나면|완료되면|실패하면|실패할\s*때|오류가\s*나면|에러가\s*나면|취소되면|취소될\s*때|중단되면"
    r"|중단될\s*때|끝나고\s*나면|끝난\s*(?:뒤|후|다음)|끝날\s*때|완료될\s*때|성공할\s*때|마치면|마치고\s*나면)"
    r"|(?:\b(?:if|when(?:ever)?|once|each\s+time|every\s+time)\s+(?:the\s+|my\s+|our\s+|a\s+|any\s+)?"
    r"(?:[\w.\-]+\s+)?)?"
    r"\b(?:workflow|run|job)\b(?:(?!\b(?:and|then|if|when)\b)[^.,;!?\n]){0,40}?"
    r"\b(succeeds|finishes|completes|fails|errors\s+out|breaks|(?:is|gets|was)\s+(?:cancell?ed|aborted)"
    r"|(?:has\s+)?(?:finished|completed|failed))\b",
    re.IGNORECASE,
)
_Q_OPEN, _Q_CLOSE = "['\"‘“「『]", "['\"’”」』]"
_NAME = r"([A-Za-z0-9][\w.\-]{0,59})"
# The workflow a run event is about: "the workflow called 'price-sync'", "'백업' 워크플로",
# "nightly-sync job".
RUN_NAME: Final = re.compile(
    rf"\b(?:workflow|job|run)\s+(?:called|named)\s+{_Q_OPEN}?{_NAME}{_Q_CLOSE}?"
    rf"|\b(?:workflow|job)\s+{_Q_OPEN}{_NAME}{_Q_CLOSE}"
    rf"|{_Q_OPEN}([^'\"’”」』\n]{{1,60}}){_Q_CLOSE}\s*(?:workflow|job|워크플로\w*|작업)"
    rf"|(?<![\w.\-])([a-z0-9]+(?:[-_.][a-z0-9]+)+)\s+(?:workflow|job)\b"
    rf"|(?<![\w.\-])([A-Za-z0-9][\w.\-]{{0,59}})\s*(?:워크플로\w*|작업)"
    rf"|(?:워크플로\w*|작업)\s*{_Q_OPEN}([^'\"’”」』\n]{{1,60}}){_Q_CLOSE}"
    rf"|(?:워크플로|workflow|job|작업)\s*\(\s*([\w.\-]{{1,60}})\s*\)",
    re.IGNORECASE,
)
PATH: Final = re.compile(r"(?<![\w:/.])((?:~|/)[\w.\-~/]*[\w\-~/])")
GLOB: Final = re.compile(r"(\*\.[A-Za-z0-9]+|\*[\w\-]*\.[A-Za-z0-9]+)")
# A file type said by its extension ("a new .csv", "jpg 영수증", "PNG files"): the pattern is that extension.
FILE_EXTENSION: Final = re.compile(
    r"(?<![\w/])\.?(csv|xlsx|xls|pdf|json|txt|jpe?g|png|gif|heic|webp|zip|docx?|pptx?|hwp|md|log|xml|mp3|mp4)"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
FILE_KINDS: Final = (
    (re.compile(r"csv", re.I), "*.csv"),
    (re.compile(r"엑셀|xlsx|excel|spreadsheet", re.I), "*.xlsx"),
    (re.compile(r"pdf|영수증|송장|인보이스|invoice|receipt", re.I), "*.pdf"),
    (re.compile(r"json", re.I), "*.json"),
    (re.compile(r"txt|텍스트\s*파일|text\s+file", re.I), "*.txt"),
)
