"""The words of the step lexicon, Korean and English: data only, read by `lexicon`.

Korean stems match by substring, because particles and verb endings attach (요약해서, 요약해줘,
요약한, 보내주세요); English words match on word boundaries, case-insensitively. Each row is
(pattern, step type, role, channel, provider).
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from mwo.spec.steps import Channel, StepType


class Word(NamedTuple):
    pattern: re.Pattern[str]
    type: StepType
    role: str
    channel: Channel | None = None
    provider: str | None = None


def _w(
    pattern: str, type_: StepType, role: str, channel: Channel | None = None, provider: str | None = None
) -> Word:
    # ASCII word boundaries: "inbox로", "Slack으로" and "API를" end an English word before a particle.
    return Word(re.compile(pattern, re.IGNORECASE | re.ASCII), type_, role, channel, provider)


_LLM, _API, _PY = StepType.LLM_CALL, StepType.API_CALL, StepType.PYTHON_SCRIPT
_DT, _NOTE, _COND, _OK = StepType.DATA_TRANSFORM, StepType.NOTIFICATION, StepType.CONDITION, StepType.APPROVAL

LLM_WORDS: Final = (
    _w(r"요약|간추려|간추린|summar(?:y|ies|i[sz]e\w*)|\btl;?dr\b|\bdigest\b|\bcondens(?:e|es|ed|ing)\b"
       r"|\bboil(?:s|ed|ing)?\s+(?:(?:it|them|that|this|the|a|an|my|our|top|\d+|\w+s)\s+){0,4}down\b"
       r"|\bdistil(?:l|ls|led|ling)?\b|\brecap\b"
       r"|(?:짧게|간단히|간략히|한국어로|영어로|자연스럽게|(?:\d+|한|두|세)\s*줄로)\s*정리",
       _LLM, "summarize"),
    _w(r"번역|translat\w*", _LLM, "translate"),
    _w(r"감정\s*분석|감성\s*분석|분위기|부정적|긍정적|\bsentiment\b|\btone\b|\bnegative\b|\bpositive\b",
       _LLM, "sentiment"),
    _w(r"분류(?!별)|classif\w*|categori[sz]\w*", _LLM, "classify"),
    _w(r"분석|\banaly[sz]\w*", _LLM, "analyze"),
    _w(r"추출|\bextract\w*", _LLM, "extract"),
    _w(r"작성|초안|써\s*줘|\bdraft\w*|\bwrite\b|\bcompose\b|답장\s*(?:을\s*)?(?:써|작성)"
       r"|(?:한|두|세|\d+)\s*문장|\b(?:one|two|three|\d+)[- ]sentences?\b", _LLM, "write"),
    # The model is said to make it up: "AI가 질문을 만들어", "have the AI come up with", "generate".
    _w(r"(?:AI|에이아이|인공지능|GPT|챗GPT|LLM)(?:가|이|로|에게|한테|으로)\s*(?:[가-힣A-Za-z0-9]+\s+){0,5}?"
       r"(?:만들|생성|지어|짓|뽑아)"
       r"|\bcome\s+up\s+with\b|\bthink\s+up\b|\bmake\s+up\b|\bgenerat(?:e|es|ing)\b|\binvent\b",
       _LLM, "write"),
    _w(r"설명|원인|\bexplain\w*", _LLM, "explain"),
    _w(r"추천|\brecommend\w*|\bsuggest\w*", _LLM, "recommend"),
)
TRANSFORM_WORDS: Final = (
    _w(r"필터|걸러|거르|\bfilter\w*|\bkeep\s+only\b|\bonly\s+keep\b|\bkeep\s+the\b", _DT, "filter"),
    _w(r"묶어|그룹화|\bgroup(?:ed|s)?\s+(?:them\s+|it\s+)?by\b", _DT, "group"),
    _w(r"정렬|순으로|\bsort\w*|\border\s+by\b|\brank\w*"
       r"|\b(?:largest|smallest|newest|oldest|nearest|highest|lowest|biggest|latest)\s+first\b", _DT, "sort"),
    _w(r"상위\s*\d+|\btop\s*\d+|\btop\s+(?:three|five|ten)\b|골라|고르|\bselect\b|\bpick\b", _DT, "select"),
    _w(r"중복\s*(?:을\s*)?제거|\bdedup\w*|remove\s+duplicates", _DT, "dedupe"),
    _w(r"데이터\s*변형|필드만|항목만|\breshap\w*|\bdata\s+transform\w*|\bmap\s+(?:them|it|each)\b"
       r"|\bonly\s+the\s+fields?\b", _DT, "reshape"),
)
SCRIPT_WORDS: Final = (
    _w(r"계산|합계|평균|건수|\bcalculat\w*|\bcompute\b|\bsum\s+(?:up|of)\b|\baverage\b|\btotals?\s+of\b"
       r"|\bwork\s+out\b", _PY, "compute"),
    _w(r"변환|\bconvert\w*", _PY, "convert"),
    _w(r"파싱|\bpars(?:e|ing)\b", _PY, "parse"),
    _w(r"정리", _PY, "tidy"),
    _w(r"포맷|서식|\bformat(?:ting)?\b", _PY, "format"),
    _w(r"(?<![A-Za-z])csv(?![A-Za-z])|엑셀|\bexcel\b|\bxlsx\b", _PY, "tabulate"),
    _w(r"파이썬|\bpython\b|스크립트|\bscript\b", _PY, "script"),
)
APPROVAL_WORDS: Final = (
    _w(r"승인|결재|허락|허가|컨펌|확인\s*(?:을\s*)?받|검토\s*후|\bapprov\w*|\bsign[- ]?off\b|"
       r"\bask\s+me\s+before\b|\bconfirm\s+(?:with\s+me\s+)?before\b", _OK, "approve"),
)  # fmt: skip
# Any Korean conditional verb ("취소되면", "조용하면"): a condition, unless it is the trigger's own verb
# ("워크플로가 취소되면" said as the run event: `lexicon._conditions`).
CONDITIONAL_ENDING: Final = _w(
    r"(?<![가-힣])[가-힣]{0,12}(?:으면|하면|되면|이면|다면|높으면|낮으면|크면|작으면|많으면|적으면|있으면|없으면|아니면|같으면"
    r"|다르면)(?=[\s,.!?]|$)",
    _COND, "check",
)  # fmt: skip
# English comparatives a condition says with a number ("longer than 40 minutes"); the criterion
# slot (`slots.py`) reads the same words.
EN_COMPARATIVE: Final = (
    r"(?:longer|shorter|higher|lower|bigger|larger|smaller|greater|fewer|later|earlier|slower|faster"
    r"|cheaper|pricier|heavier|lighter|warmer|colder|hotter|older|newer)"
)
CONDITION_WORDS: Final = (
    _w(r"만약|만일|조건|경우에만|경우|때만|일\s*때|초과|이상(?!한|하게|해|하면|하다|하지|할)|이하|미만|넘으면|넘는|넘을|넘게",
       _COND, "check"),
    _w(r"(?<![가-힣])(?:비|눈)(?:가|이)?\s*(?:오면|올\s*때|오는\s*날|내리면|예보되면)", _COND, "check"),
    _w(r"\bif\b(?!\s+(?:approved|it\s+is\s+approved|possible|needed|you\s+can|I\s+approve))"
       r"|\bonly\s+(?:when|if)\b|\bunless\b|\bexceeds?\b|\babove\b|\bbelow\b|\bgreater\s+than\b"
       r"|\b(?:goes|go|is|gets|rises|falls|drops|climbs)\s+(?:over|above|below|under)\b"
       r"|\bless\s+than\b|\bmore\s+than\b|\bat\s+least\b|\bat\s+most\b|\bin\s+case\b|\bover\s+\d"
       r"|\bunder\s+\d|\bis\s+down\b|\bdoes\s+not\s+(?:answer|respond|return)\b|\bdoesn't\s+return\b"
    r"|\breturns?\s+an?\s+error\b",
       _COND, "check"),
    _w(r"(?:오류|에러|장애|실패)(?:이)?면|응답이\s*없", _COND, "check"),
    # A measured test with a direction: "7만원 아래로 내려가면", "50만원 밑으로 떨어지면", "3% 넘게 오르면".
    _w(r"(?<![\w.])\d[\d,.]*\s*(?:[십백천만억조]{1,3}\s*)?(?:원|달러|불|엔|%|퍼센트|도|개|건|명|점|포인트|ms|초|분)?\s*"
       r"(?:밑|아래|이하|미만|위|이상|초과|넘게|보다)[가-힣]{0,3}\s*[가-힣]{0,6}면(?=[\s,.!?]|$)",
       _COND, "check"),
    # Negated: "안 열리면", "접속이 안 되면", "못 받으면"; a change said in words: "오르면", "내려가면".
    _w(r"(?<![가-힣])(?:안|못)\s+[가-힣]{1,6}면(?=[\s,.!?]|$)", _COND, "check"),
    _w(r"(?:(?:많이|크게|꽤|급히|급격히|갑자기|확|조금|좀)\s*)?(?:오르|올라가|내려가|떨어지|뛰|빠지)면(?=[\s,.!?]|$)",
       _COND, "check"),
    # The model decides the condition: "급한 건지 AI로 판단하고", "let the AI decide whether it is urgent".
    _w(r"(?:[가-힣A-Za-z0-9]+\s+)?[가-힣A-Za-z0-9]*(?:인지|한지|건지|는지|지\s*아닌지|여부)[를을]?\s*"
       r"(?:AI|에이아이|인공지능|GPT|챗GPT|LLM|모델)(?:가|이|로|에게|한테|으로)?\s*(?:판단|판별|확인|결정|골라)"
       r"|(?:AI|에이아이|인공지능|GPT|챗GPT|LLM)(?:가|이|로|에게|한테|으로)?\s*(?:판단|판별|결정)"
       r"|\b(?:let|have|ask|get)\s+(?:the\s+)?(?:AI|model|LLM|GPT)\s+(?:to\s+)?(?:decide|judge|determine|tell)"
       r"(?:\s+(?:whether|if)\s+[^,.;!?\n]{1,50})?",
       _COND, "check"),
    _w(r"\bdoes\s*n[o']t\s+(?:load|open)\b|\bcan(?:'|no)?t\s+be\s+reached\b|\b(?:un|not\s+)reachable\b"
       r"|\bcheaper\s+than\b|\bgets?\s+(?:cheap|expensive|high|low)(?:er)?\b|\b(?:dips|sinks|drops|falls|rises|jumps|climbs)\s+(?:to|past)\s+\$?\d",
       _COND, "check"),
    # A comparison with a number in English: "longer than 40 minutes", "colder than -5", "fewer than 3 seats".
    _w(rf"\b{EN_COMPARATIVE}\s+than\s+[-+]?[$₩€£]?\d", _COND, "check"),
    CONDITIONAL_ENDING,
)  # fmt: skip
# "내가 직접 실행할 때만", "only when I run it": the manual trigger said, not a condition step.
MANUAL_ONLY: Final = re.compile(
    r"(?:실행|수동|클릭|요청|원|필요|누를|부를|돌릴|돌리)[가-힣]{0,4}\s*(?:때만|때에만|경우에만)"
    r"|\bonly\s+when\s+I\s+(?:run|start|ask|click|trigger)\b",
    re.IGNORECASE | re.ASCII,
)
# "제가 승인한 경우에만", "only if I approve it": the approval step said, not a condition to test.
APPROVAL_ONLY: Final = re.compile(
    r"(?:승인|결재|허락|허가|컨펌)[가-힣]{0,4}(?:\s*(?:난|된|한))?\s*(?:경우에만|경우|때만|때에만|때)"
    r"|\b(?:only\s+)?(?:if|when|once|after)\s+(?:I|we|my\s+\w+|the\s+\w+|someone)\s+(?:have\s+|has\s+)?"
    r"(?:approve[sd]?|signs?\s+off|signed\s+off|okays?|okayed|OKs?)\b",
    re.IGNORECASE | re.ASCII,
)
# Conditional endings that are only politeness or a trigger's own receiving verb: no condition step
# and no criterion.
NOT_CONDITIONS: Final = frozenset(
    {"가능하면", "되도록이면", "괜찮으면", "원하면", "그러면", "그렇다면", "이왕이면", "필요하면", "좋다면",
     "괜찮다면", "하면", "되면", "이면", "다면", "있다면", "요약하면", "정리하면", "말하자면",
     "받으면", "들어오면", "생기면", "올라오면", "도착하면", "수신하면", "수신되면", "호출되면", "추가되면",
     "저장되면", "업로드되면", "생성되면", "발생하면", "떨어지면", "끝나면", "완료되면", "성공하면",
     "실패하면", "입력하면", "넣으면", "주면", "붙여넣으면", "올리면", "승인되면", "결재되면", "승인하면",
     "허락하면", "실행하면", "누르면", "클릭하면"}
)  # fmt: skip

API_WORDS: Final = (
    # The same words as the packs' domain keywords (knowledge/packs/*/pack.yaml), as step sources.
    # News/blog words are a source unless the request writes one ("블로그 글 작성", "뉴스레터").
    _w(r"파파고|\bpapago\b", _API, "translate", provider="papago"),
    _w(r"네이버|\bnaver\b|뉴스(?!레터)(?!\s*(?:를|을)?\s*(?:작성|써))|기사(?!\s*(?:를|을)?\s*(?:작성|써))"
       r"|블로그(?!(?:(?!검색|가져|찾아|모아|수집)[^.,\n]){0,16}?(?:초안|작성|써\s*줘|올려|발행))|헤드라인|최저가|쇼핑(?!몰)|지식인|카페\s*글|\bnews\b"
       r"|\barticles?\b|\bblogs?\b|\bheadlines?\b|\bshopping\b", _API, "fetch", provider="naver"),
    _w(r"날씨|기상청|일기\s*예보|예보|기온|강수|강우|습도|풍속|소나기|태풍|폭염|한파|우산"
       r"|(?<![가-힣])(?:비|눈)(?:가|이)?\s*(?:오|올|내리|소식|예보)"
       r"|\bweather\b|\bforecasts?\b|\btemperature\b|\brain\w*\b|\bsnow\w*\b|\bhumidity\b|\bumbrella\b"
       r"|\bkma\b", _API, "fetch", provider="kma"),
    _w(r"카카오\s*(?:지도|맵|로컬|검색)|맛집|근처|주변\s*(?:장소|가게|카페|식당)|\bkakao\s*(?:map|local|search)\b"
       r"|\bnearby\b", _API, "fetch", provider="kakao"),
    _w(r"https?://[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", _API, "fetch", provider="http"),
    _w(r"(?<![A-Za-z])API(?![A-Za-z])|(?<![A-Za-z])api(?![A-Za-z])|엔드포인트|\bendpoint\b", _API, "fetch"),
    _w(r"웹\s*페이지|페이지(?:를|의)?\s*(?:가져|읽어|열어)|\bfetch(?:es)?\s+(?:the|a|that)\s+page\b"
       r"|\b(?:web\s*)?page'?s?\s+(?:text|content)\b", _API, "fetch"),
    # Sources named by what they hold (no pack of their own): an HTTP request the planner writes.
    _w(r"환율|주가|시세|깃허브|업비트|공휴일|사이트|웹사이트|홈페이지|\bexchange\s+rates?\b|\bstock\s+prices?\b"
       r"|\bprices?\b|\bgithub\b|\bupbit\b|\bholidays\b|\bwebsite\b", _API, "fetch"),
)  # fmt: skip
# URLs that are where a message goes (Slack/Discord incoming webhooks), not a source.
HOOK_URLS: Final = re.compile(
    r"https?://(?:hooks\.slack\.com|(?:\w+\.)?discord(?:app)?\.com/api/webhooks)\S*", re.IGNORECASE
)

CHANNEL_WORDS: Final = (
    _w(r"이메일|메일|이멜|\be-?mail\w*|\bmail\b|\bgmail\b|메일함", _NOTE, "notify", Channel.EMAIL),
    # Spoken short forms and common typos too: 슬렉/쓸랙, 디코 (Discord; not 디코딩), 인박스.
    _w(r"슬랙|슬렉|쓸랙|\bslack\b|\bslak\b", _NOTE, "notify", Channel.SLACK),
    _w(r"디스코드|디코(?![딩더드])|\bdiscord\b|\bdiscrod\b", _NOTE, "notify", Channel.DISCORD),
    _w(r"카톡|카카오톡|카카오\s*메시지|카카오(?=로|에게|로\s*보내)|\bkakao\s*talk\b|\bkakaotalk\b|\bkakao\b(?!\s+(?:map|local))",
       _NOTE, "notify", Channel.KAKAO),
    _w(r"웹훅|\bwebhook\b", _NOTE, "notify", Channel.WEBHOOK),
    _w(r"\binbox\b|인박스|받은\s*편지함|앱\s*알림|알림함|앱\s*으로\s*알려|\bin[- ]app\b"
       r"|\bapp\s+notifications?\b|\bin\s+the\s+app\b",
       _NOTE, "notify", Channel.INBOX),
)  # fmt: skip
SEND_WORDS: Final = (
    _w(r"보내|전송|발송|알려|알림|공유\s*(?:좀\s*)?(?:해|하|부탁)|통보|전달|보고\s*(?:좀\s*)?해\s*(?:줘|주|달)"
       r"|공지\s*(?:를\s*|좀\s*)*(?:올려|띄워|게시)"
       r"|\bsend\b|\bnotify\b|\balert\b|\blet\s+me\s+know\b|\btell\s+me\b"
       r"|\bmessage\s+me\b|\bping\b|\bpost\s+(?:it\s+)?(?:to|in)\b|\bshare\b|\bdeliver\b", _NOTE, "notify"),
    # A reminder or a report goes to someone: where to is asked when no channel is named.
    _w(r"리마인드|리마인더|상기시켜|\bremind(?:s|er|ers)?\b"
       r"|보고서|리포트|레포트|(?:주간|일일|월간|업무|매출)\s*보고|\b(?:my|our|the|a|weekly|daily|monthly)\s+"
       r"(?:\w+\s+)?reports?\b"
       # A digest or a briefing is read by someone too ("a morning briefing", "weekly roundup").
       r"|\b(?:a|my|our|the|daily|weekly|monthly|morning|evening|nightly)\s+(?:\w+\s+)?"
       r"(?:digest|briefing|roundup|round-up|recap)s?\b", _NOTE, "notify"),
)  # fmt: skip
# A change of an unsaid size ("많이 오르면", "gets cheap"): a condition whose criterion is asked.
# A bare change ("가격이 오르면": any rise) is measurable against the last value, so it is not.
VAGUE_CHANGE: Final = re.compile(
    r"(?:많이|크게|꽤|급히|급격히|갑자기|확|조금|좀)\s*(?:오르|올라가|내려가|떨어지|뛰|빠지)면"
    r"|\bgets?\s+(?:cheap|expensive|high|low)(?:er)?\b",
    re.IGNORECASE,
)
# A channel named as where something comes from ("슬랙에서 메시지를 가져와"), not where it goes.
CHANNEL_AS_SOURCE: Final = re.compile(
    r"\s*(?:에서|에\s*있는|에\s*온|으로부터|로부터)|\s+(?:from)\b", re.IGNORECASE | re.ASCII
)
# A webhook channel word followed by a receiving verb is the trigger ("웹훅으로 받으면"), not a channel.

# The request gives its input when it is run ("검색어를 입력하면", "when I paste a text"): a manual
# trigger with inputs, so its source, topic and schedule are not asked.
INPUT_WORDS: Final = re.compile(
    r"입력하면|입력한|넣으면|붙여\s*넣으면|주면|올리면|\bwhen\s+I\s+(?:enter|paste|give|type|upload|run\s+it)\b"
    r"|\bgiven\s+an?\b|\bwith\s+a\s+(?:search\s+term|keyword|text)\b|\bas\s+(?:an?\s+|the\s+)?input\b|입력\s*받"
    r"|\b(?:takes?|accepts?)\s+(?:an?\s+|the\s+)?(?:url|link|text|keyword|file\s+path)\b",
    re.IGNORECASE | re.ASCII,
)
# The run is given the address to read ("takes a URL as input", "URL을 입력하면"): an input `url`.
URL_INPUT: Final = re.compile(
    r"(?:URL|url|링크|웹\s*주소|주소|\blink\b)\s*(?:을|를)?\s*(?:입력|넣으면|주면|as\s+(?:an?\s+|the\s+)?input)"
    r"|\b(?:takes?|accepts?|given|with)\s+(?:an?\s+|the\s+)?(?:url|link)\b",
    re.IGNORECASE,
)
MANUAL_WORDS: Final = re.compile(
    r"수동|버튼|필요할\s*때|원할\s*때|요청할\s*때|직접\s*실행|직접\s*돌릴|지금\s*(?:바로|당장)?|\bmanual(?:ly)?\b|\bon\s+demand\b"
    r"|\bwhen(?:ever)?\s+I\s+(?:ask|run|click|want|press|hit|trigger|start|kick)\b|\bby\s+hand\b|\bright\s+now\b"
    r"|\bon\s+(?:my\s+)?request\b|\b(?:only\s+)?when\s+(?:I|we)\s+(?:say\s+so|tell\s+it)\b"
    # "내가 실행할 때만", "내가 돌릴 때", "클릭할 때만": run by the person, not on a schedule
    r"|(?:실행|수동|클릭|요청|원|필요|누를|부를|돌릴|돌리)[가-힣]{0,4}\s*(?:때만|때에만|경우에만)"
    r"|내가\s*(?:직접\s*)?(?:실행|돌릴|돌리|누를|누르|시작|클릭|호출)"
    r"|입력하면|입력한|넣으면|붙여\s*넣으면|\bwhen\s+I\s+(?:enter|paste|give|type|upload)\b|\bgiven\s+an?\b"
    # No schedule, run by the person: "스케줄은 필요 없어요", "제가 눌러서 돌릴게요", "I'll run it myself".
    r"|(?:스케줄|일정|예약|정해진\s*시간)(?:은|는|이|가)?\s*(?:필요\s*없|없어도|안\s*(?:잡|정해)|잡지\s*말)"
    r"|(?:제가|저희가|우리가)\s*(?:직접\s*)?(?:실행|돌릴|돌리|누를|누르|눌러|시작|클릭|호출|트리거)"
    r"|\bno\s+schedul\w*|\b(?:don'?t|do\s+not|no\s+need\s+to)\s+schedule\b|\bnot\s+(?:on\s+a\s+)?scheduled?\b"
    r"|\b(?:trigger|run|start|launch|kick\s+off|fire)\s+(?:it|this|them)\s+(?:myself|ourselves|by\s+hand)\b",
    re.IGNORECASE | re.ASCII,
)
