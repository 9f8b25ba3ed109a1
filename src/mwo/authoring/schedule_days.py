"""Which days a time phrase names: every day, weekdays, weekends, named weekdays, every other week,
days of the month (말일 = cron `L`), the n-th weekday of the month, a day of the year.

Korean weekday characters (월화수목금토일) are also ordinary syllables (매월, 수집, 금액, 목록), so a
single one counts only with 요일/욜 ("월요일", "월욜"), after 매주/격주, or in a run or list of two or
more that starts a word ("월수금", "월,수,금", "월~금"), and never the words in KO_DAY_RUN_WORDS
(금일 = today). English short names (Mon, Wed) count only capitalised; full names in any case.
"""

from __future__ import annotations

import re

from mwo.authoring import time_words as words
from mwo.authoring.schedule_parts import Days, Span

_D = "[월화수목금토일]"
_EN_FULL = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_EN_SHORT = "Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun"

_KO_RANGE = re.compile(rf"({_D})(?:요일|욜)?\s*(?:~|-|부터)\s*({_D})(?:요일|욜)?(?:\s*까지)?")
_KO_NAMED = re.compile(rf"({_D})(?:요일|욜)")
_KO_RUN = re.compile(rf"(?<![가-힣])({_D}(?:\s*[,·/]?\s*{_D})+)(?=요일|욜|[^가-힣]|에|마다|만|$)")
_KO_AFTER_WEEKLY = re.compile(rf"(?:매주|격주|주마다)\s*({_D})(?=[^가-힣]|에|마다|$)")
_EN_RANGE = re.compile(
    rf"\b({_EN_FULL}|{_EN_SHORT})\s*(?:-|–|to|through|thru)\s*({_EN_FULL}|{_EN_SHORT})\b", re.IGNORECASE
)
_EN_NAMED = re.compile(rf"\b(?:({_EN_FULL})(s)?|({_EN_SHORT})(?![a-z]))\b", re.IGNORECASE)
# After a weekday: it is left out. "만 빼고" / "을 제외하고" take only the plain exclusion words, so
# "화요일만 빼고" is every day but Tuesday while "화요일에만" and "화요일만 보내" stay Tuesday only.
_EXCLUDED = re.compile(
    r"\s*(?:(?:만|을|를)\s*(?:제외|빼고|말고|빼)"
    r"|(?:은|는|에는|엔|에)?\s*(?:제외|빼고|말고|빼|(?:[가-힣]+\s*)?(?:지\s*마|지\s*말|안\s*해|쉬어|쉬고|건너뛰)))"
)
_EN_EXCEPT = re.compile(
    rf"\b(?:except(?:\s+for)?(?:\s+on)?|but\s+not(?:\s+on)?|excluding|skip(?:ping)?|not\s+on|never\s+on"
    rf"|(?:other\s+than|apart\s+from|aside\s+from)(?:\s+on)?"
    rf"|(?:(?<=day\s)|(?<=days\s)|(?<=daily\s)|(?<=day,\s)|(?<=week\s))but(?:\s+on)?"
    rf"|(?:don'?t|do\s+not|never)\s+(?:[a-z]+\s+){{0,3}}?on)\s+"
    rf"(?:{_EN_FULL}|{_EN_SHORT})s?(?:\s*(?:,|and|or)\s*(?:{_EN_FULL}|{_EN_SHORT})s?)*\b",
    re.IGNORECASE,
)

_DAILY = re.compile(
    r"매일(?!경제|신문)|날마다|매 일(?=\s)|하루\s*(?:에\s*)?(?:한\s*번|1\s*번|한번)"
    r"|\bevery\s*day\b|\bdaily\b|\beach\s+day\b"
    r"|\bevery\s+(?:morning|afternoon|evening|night)\b|\bnightly\b|\bonce\s+a\s+day\b"
    r"|(?<=시|반|오|정)\s*마다"  # "9시마다", "정오마다", "자정마다": every day at that time
    r"|(?:(?<=시\d분)|(?<=시\d\d분)|(?<=시 \d분)|(?<=시 \d\d분))\s*마다"  # "3시 40분마다": daily at 3:40
    r"|(?<=아침|저녁|점심|새벽)\s*마다|(?<=밤)\s*마다",
    re.IGNORECASE,
)
_WEEKDAYS = re.compile(
    r"평일|주중|업무일|근무일|영업일|\b(?:every\s+)?(?:weekdays?|workdays?|business\s+days?|working\s+days?)\b",
    re.IGNORECASE,
)
_WEEKENDS = re.compile(r"주말|\b(?:every\s+)?weekends?\b", re.IGNORECASE)
_WEEKLY = re.compile(
    r"매주|주마다|주\s*1\s*회|일주일(?:에|마다)\s*한\s*번|\bevery\s+week\b|\bweekly\b|\beach\s+week\b", re.I
)
_BIWEEKLY = re.compile(
    r"격주|2\s*주(?:마다|에\s*한\s*번|\s*간격)|두\s*주(?:마다|에\s*한\s*번)|\bevery\s+other\b|\bbi-?weekly\b"
    r"|\bfortnightly\b|\bevery\s+(?:two|2)\s+weeks\b",
    re.IGNORECASE,
)
_MONTHLY = re.compile(
    r"매월|매달|매\s+월|매\s+달|달마다|월마다|한\s*달(?:에|마다)\s*한\s*번|월\s*1\s*회"
    r"|\b(?:every|each|a|per)\s+month\b|\bmonthly\b|\bof\s+(?:the|each|every)\s+month\b",
    re.IGNORECASE,
)
# Quarterly: "분기마다", "매 분기 첫날", "every quarter", "quarterly on the 15th". A bare "분기별 보고서" or
# "quarterly report" names a report, and "every quarter hour" is an interval.
_QUARTERLY = re.compile(
    r"분기\s*(?:마다|별로|에\s*한\s*번|\s*1\s*회|\s*(?:의\s*)?(?:첫|마지막|말일|말에|초에|시작))|매\s*분기|각\s*분기"
    r"|\b(?:every|each|per|once\s+a)\s+quarter\b(?!\s*(?:of\s+an\s+)?hours?\b|\s+(?:past|to)\b)"
    r"|\b(?:of|in)\s+(?:the|each|every)\s+(?:calendar\s+)?quarter\b"
    r"|\bquarterly\b(?=\s*(?:$|[,.;:!?(]|on\b|at\b|in\b|from\b))",
    re.IGNORECASE,
)
_QUARTER_MONTHS = (1, 4, 7, 10)
_FIRST_DAY = re.compile(r"첫\s*(?:번째\s*|째\s*)?날|\bfirst\s+day\b|\bstart\s+of\b|\bbeginning\s+of\b", re.I)
# Several months named in a list ("1월 4월 7월 10월", "1, 4, 7, 10월", "January, April, July and October").
_KO_MONTH_LIST = re.compile(
    r"(?<![\d.])(?:\d{1,2}\s*월(?!요|욜)(?:\s*(?:[,·/]|과|와|및|그리고)?\s*\d{1,2}\s*월(?!요|욜))+"
    r"|\d{1,2}(?:\s*[,·/]\s*\d{1,2})+\s*월(?!요|욜))"
)
_KO_MONTH_NUMBER = re.compile(r"\d{1,2}")
# Several days of the month in a list ("1일과 15일", "the 1st and the 15th"): a list of dates repeats
# monthly even with no monthly word. "10월 1일과 15일" (a month said) is not read this way.
_KO_DOM_LIST = re.compile(
    r"(?<![\d.])(?<!월)(?<!월\s)\d{1,2}\s*일\s*(?:과|와|,|및|이랑|랑|하고|·|/|그리고)\s*\d{1,2}\s*일(?!요|간|\s*동안)"
)
_EN_DOM_LIST = re.compile(
    r"\b(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\s*(?:,|and|&|or)\s*(?:(?:and|or)\s+)?(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
_KO_DOM = re.compile(r"(?<![\d.])(\d{1,2})\s*일(?!\s*(?:마다|간|동안|전|후|치|째|이내|내)|요일)")
_EN_DOM = re.compile(
    rf"\b(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\b|\bday\s+(\d{{1,2}})\b"
    rf"|\b(?:the\s+)?(first)\b(?!\s+(?:{_EN_FULL}|{_EN_SHORT}))",
    re.IGNORECASE,
)
_LAST_DAY = re.compile(
    r"말일|월말|마지막\s*날|그믐|\bend\s+of\s+(?:the|each|every)\s+month\b"
    r"|\b(?:last|final)\s+(?:calendar\s+)?day\b|\bmonth[- ]end\b|\bend\s+of\s+month\b"
    r"|(?:달|월)의?\s*(?:마지막|끝)\s*날|마지막\s*일(?![가-힣])",
    re.IGNORECASE,
)
_KO_NTH = re.compile(
    rf"(첫\s*번째|첫째|첫|두\s*번째|둘째|세\s*번째|셋째|네\s*번째|넷째|마지막)\s*(?:주\s*)?({_D})요일"
)
_EN_NTH = re.compile(
    rf"\b(first|second|third|fourth|last|1st|2nd|3rd|4th)\s+({_EN_FULL}|{_EN_SHORT})\b", re.IGNORECASE
)
_NTH = {"첫": "1", "첫째": "1", "첫번째": "1", "둘째": "2", "두번째": "2", "셋째": "3", "세번째": "3",
        "넷째": "4", "네번째": "4", "마지막": "L", "first": "1", "1st": "1", "second": "2", "2nd": "2",
        "third": "3", "3rd": "3", "fourth": "4", "4th": "4", "last": "L"}  # fmt: skip
_KO_YEARLY = re.compile(r"매년|매해|해마다")
_KO_MONTH_DAY = re.compile(r"(?<![\d.])(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_EN_MONTH_LIST = re.compile(rf"\b{_MONTH}\b(?:\s*(?:,|and|&|/)\s*(?:and\s+)?\b{_MONTH}\b)+", re.IGNORECASE)
_EN_MONTH_WORD = re.compile(rf"\b{_MONTH}\b", re.IGNORECASE)
_EN_YEARLY = re.compile(
    rf"\b(?:every\s+year|each\s+year|annually|yearly)\b|\bevery\s+(?={_MONTH}\.?\s+\d)", re.IGNORECASE
)
_EN_MONTH_DAY = re.compile(
    rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b",
    re.IGNORECASE,
)
_EVERY_N_DAYS = re.compile(r"(\d{1,2})\s*일\s*(?:마다|간격)|\bevery\s+(\d{1,2})\s+days\b", re.I)


def _en_day(token: str) -> int:
    low = token.lower()
    return words.EN_DAYS.get(low, words.EN_DAYS.get(low[:3], 0))


def _day_range(first: int, last: int) -> tuple[int, ...]:
    """Monday-first order, so 월~일 is the whole week and 금~월 wraps over the weekend."""
    order = [1, 2, 3, 4, 5, 6, 0]
    i, j = order.index(first), order.index(last)
    picked = order[i : j + 1] if i <= j else order[i:] + order[: j + 1]
    return tuple(picked)


def _covered(span: Span, taken: list[Span]) -> bool:
    return any(s <= span[0] < e for s, e in taken)


def _weekday_pieces(text: str) -> list[Days]:
    """Named weekdays, runs, lists and ranges (Korean and English), and the weekdays excluded."""
    pieces: list[Days] = []
    excluded: list[int] = []
    taken: list[Span] = []
    excluded_spans: list[Span] = []

    def add(dow: tuple[int, ...], span: Span, *, plural: bool = True) -> None:
        if _covered(span, taken):
            return
        taken.append(span)
        after = _EXCLUDED.match(text, span[1])
        if after is not None:
            excluded.extend(dow)
            excluded_spans.append((span[0], after.end()))
        else:
            pieces.append(Days(span, dow=dow, recurring=plural))

    for m in _EN_EXCEPT.finditer(text):
        taken.append(m.span())
        excluded_spans.append(m.span())
        excluded.extend(_en_day(d.group(1) or d.group(3)) for d in _EN_NAMED.finditer(m.group(0)))
    for m in _KO_NTH.finditer(text):
        taken.append(m.span())
    for m in _EN_NTH.finditer(text):
        taken.append(m.span())
    for m in _KO_RANGE.finditer(text):
        add(_day_range(words.KO_DAY_CHARS[m.group(1)], words.KO_DAY_CHARS[m.group(2)]), m.span())
    for m in _EN_RANGE.finditer(text):
        add(_day_range(_en_day(m.group(1)), _en_day(m.group(2))), m.span())
    for m in _KO_RUN.finditer(text):
        run = re.sub(r"[\s,·/]", "", m.group(1))
        if run not in words.KO_DAY_RUN_WORDS and len(set(run)) == len(run):
            add(tuple(words.KO_DAY_CHARS[c] for c in run), m.span())
    for m in [*_KO_NAMED.finditer(text), *_KO_AFTER_WEEKLY.finditer(text)]:
        plural = text.startswith("마다", m.end()) or m.re is _KO_AFTER_WEEKLY
        add((words.KO_DAY_CHARS[m.group(1)],), m.span(), plural=plural)
    for m in _EN_NAMED.finditer(text):
        if m.group(3) is not None and not m.group(3)[0].isupper():
            continue
        every = re.search(r"\b(?:every|each|other|on)\s+$", text[: m.start()], re.IGNORECASE)
        span = (every.start() if every else m.start(), m.end())
        plural = bool(m.group(2) or (every and every.group(0).lower().strip() != "on"))
        add((_en_day(m.group(1) or m.group(3)),), span, plural=plural)
    if excluded:
        first = min(excluded_spans)
        pieces.append(Days(first, excluded=tuple(excluded)))
    return pieces


def _nth_weekday(text: str) -> Days | None:
    m = _KO_NTH.search(text)
    if m is not None:
        nth, day = _NTH[re.sub(r"\s", "", m.group(1))], words.KO_DAY_CHARS[m.group(2)]
    else:
        m = _EN_NTH.search(text)
        if m is None or not _MONTHLY.search(text):
            return None
        nth, day = _NTH[m.group(1).lower()], _en_day(m.group(2))
    cron_day = f"L{day}" if nth == "L" else f"{day}#{nth}"
    return Days(m.span(), nth=cron_day)


def _listed_months(text: str) -> tuple[tuple[int, ...], Span] | None:
    """The months of a list of two or more ("1월 4월 7월 10월", "March, June, September and December")."""
    m = _KO_MONTH_LIST.search(text)
    if m is not None:
        months = [int(n) for n in _KO_MONTH_NUMBER.findall(m.group(0))]
    else:
        m = _EN_MONTH_LIST.search(text)
        if m is None:
            return None
        months = [_EN_MONTHS.index(w.group(1).lower()[:3]) + 1 for w in _EN_MONTH_WORD.finditer(m.group(0))]
    if not all(1 <= n <= 12 for n in months) or len(set(months)) < 2:
        return None
    return tuple(sorted(set(months))), m.span()


def _dom_values(text: str) -> tuple[list[str], list[Span]]:
    """The days of the month said ("1일", "the 15th", "first"), in order, without repeats."""
    days: list[str] = []
    spans: list[Span] = []
    for m in [*_KO_DOM.finditer(text), *_EN_DOM.finditer(text)]:
        value = m.group(1) or (m.group(2) if m.re is _EN_DOM else None) or "1"
        if 1 <= int(value) <= 31 and str(int(value)) not in days:
            days.append(str(int(value)))
            spans.append(m.span())
    return days, spans


def _quarterly(text: str) -> Days | None:
    """Quarterly ("분기마다", "every quarter") or a list of months with a day ("1월 4월 7월 10월 1일"):
    the day said (첫날 / the first day -> 1, 말일 -> L), else the 1st (stated); the months listed,
    else January, April, July and October."""
    word, listed = _QUARTERLY.search(text), _listed_months(text)
    if word is None and listed is None:
        return None
    days, spans = _dom_values(text)
    first, last = _FIRST_DAY.search(text), _LAST_DAY.search(text)
    if word is None and not days and first is None and last is None:
        return None  # "3월, 6월에 있던 일": months named with no day and no repeat word are no schedule
    spans += [s for s in (word.span() if word else None, listed[1] if listed else None) if s is not None]
    if first is not None and "1" not in days:
        days.insert(0, "1")
        spans.append(first.span())
    if last is not None:
        days.append("L")
        spans.append(last.span())
    months = listed[0] if listed else _QUARTER_MONTHS
    span = (min(s for s, _ in spans), max(e for _, e in spans))
    if not days:
        return Days(span, dom=("1",), months=months, assumed="first_of_quarter")
    return Days(span, dom=tuple(days), months=months)


def _month_days(text: str) -> Days | None:
    """Days of the month, only when the request says monthly (or 말일 / end of the month), or lists
    several days ("1일과 15일", "the 1st and the 15th")."""
    monthly, last = _MONTHLY.search(text), _LAST_DAY.search(text)
    if monthly is None:
        monthly = _KO_DOM_LIST.search(text) or _EN_DOM_LIST.search(text)
    if monthly is None and last is None:
        return None
    days, spans = _dom_values(text)
    spans += [m.span() for m in (monthly, last) if m is not None]
    if last is not None:
        days.append("L")
    span = (min(s for s, _ in spans), max(e for _, e in spans))
    if not days:
        return Days(span, dom=("1",), assumed="first_of_month")
    return Days(span, dom=tuple(days))


def _simple(text: str) -> list[Days]:
    out = []
    for pattern, dow in ((_WEEKDAYS, (1, 2, 3, 4, 5)), (_WEEKENDS, (0, 6))):
        out += [Days(m.span(), dow=dow) for m in pattern.finditer(text)]
    out += [Days(m.span()) for m in _DAILY.finditer(text)]
    return out


def _real_date(month: int, day: int) -> bool:
    """A day that exists in some year (29 February does)."""
    return 1 <= month <= 12 and 1 <= day <= (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


def _yearly(text: str) -> Days | None:
    """ "매년 3월 14일", "every year on March 14", "annually on 1 May": one day of the year."""
    ko_word, ko_date = _KO_YEARLY.search(text), _KO_MONTH_DAY.search(text)  # "매년 어버이날인 5월 8일"
    if ko_word is not None and ko_date is not None:
        month, day = int(ko_date.group(1)), int(ko_date.group(2))
        span = (min(ko_word.start(), ko_date.start()), max(ko_word.end(), ko_date.end()))
    else:
        word, date = _EN_YEARLY.search(text), _EN_MONTH_DAY.search(text)
        if word is None or date is None:
            return None
        name = (date.group(1) or date.group(4)).lower()[:3]
        month, day = _EN_MONTHS.index(name) + 1, int(date.group(2) or date.group(3))
        span = (min(word.start(), date.start()), max(word.end(), date.end()))
    if not _real_date(month, day):
        return Days(span, assumed="impossible_date")
    return Days(span, dom=(str(day),), month=month)


def find_days(text: str) -> list[Days]:
    """The day pieces of `text`, each with its span; `schedule.combine_days` merges them."""
    out: list[Days] = []
    yearly = _yearly(text)
    if yearly is not None:
        return [yearly]
    every_n = _EVERY_N_DAYS.search(text)
    if every_n is not None:
        n = int(every_n.group(1) or every_n.group(2))
        return [Days(every_n.span(), dom=(f"*/{n}",), assumed="every_n_days")]
    nth = _nth_weekday(text)
    if nth is not None:
        return [nth]
    quarter = _quarterly(text)
    if quarter is not None:
        return [quarter]
    month = _month_days(text)
    if month is not None:
        return [month]
    out += _weekday_pieces(text) + _simple(text)
    for m in _BIWEEKLY.finditer(text):
        out.append(Days(m.span(), every_weeks=2))
    for m in _WEEKLY.finditer(text):
        out.append(Days(m.span(), assumed="weekly_monday"))
    return out


def excluded_weekdays(text: str) -> tuple[int, ...]:
    """The cron weekdays a text says to leave out ("월요일에는 보내지 마", "except Fridays"): for edits."""
    return tuple(sorted({d for piece in _weekday_pieces(text) for d in piece.excluded}))
