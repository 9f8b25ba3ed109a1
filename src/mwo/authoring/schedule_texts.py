"""What the schedule grammar says to people: its assumptions and questions, in Korean and English.

Data only. Each entry is (Korean, English) with `str.format` fields; `schedule` picks the language of
the request.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

ASSUMPTIONS: Final = MappingProxyType(
    {
        "daily_no_recurrence": (
            "반복 주기가 없어 매일 실행으로 보았습니다",
            "No repeat was given, so it runs every day",
        ),
        "weekly_monday": (
            "요일이 없어 매주 월요일로 보았습니다",
            "No weekday was given, so it runs on Mondays",
        ),
        "first_of_month": (
            "날짜가 없어 매월 1일로 보았습니다",
            "No day of the month was given, so it runs on the 1st",
        ),
        "first_of_quarter": (
            "날짜가 없어 분기 첫날(1월, 4월, 7월, 10월 1일)로 보았습니다",
            "No day was given, so it runs on the first day of each quarter (1 Jan, Apr, Jul, Oct)",
        ),
        "weekly_from_day": ("요일만 있어 매주 {day}로 보았습니다", "A weekday alone is read as every {day}"),
        "morning_hour": ("{h}시는 오전 {h}시로 보았습니다", "{h} o'clock is read as {h}:00 in the morning"),
        "noon_hour": ("12시는 낮 12시(정오)로 보았습니다", "12 o'clock is read as noon"),
        "part_default": ("{part}{eun} {h}시로 보았습니다", "'{part}' is read as {h:02d}:00"),
        "every_n_days": (
            "{n}일마다는 매월 1일부터 다시 셉니다",
            "Every {n} days restarts counting on the 1st of each month",
        ),
        "uneven_minutes": (
            "{n}분 간격은 매시 정각에 다시 맞춰져 시간의 마지막 간격이 짧아집니다",
            "Every {n} minutes restarts at the top of each hour, so the last gap of an hour is shorter",
        ),
        "uneven_hours": (
            "{n}시간 간격은 매일 자정에 다시 맞춰집니다",
            "Every {n} hours restarts at midnight each day",
        ),
        "daily_midnight": (
            "24시간마다는 매일 자정으로 보았습니다",
            "Every 24 hours is read as every day at midnight",
        ),
        "day_shift_weekdays": (
            "자정을 넘겨 전날(또는 다음 날)이 되므로 요일도 함께 옮겼습니다",
            "The time crosses midnight, so the weekdays moved with it",
        ),
        "biweekly": (
            "격주는 cron으로 표현할 수 없어 지금은 매주 실행됩니다",
            "Every other week cannot be written in cron, so it runs every week for now",
        ),
        "window": (
            "{a}시 정각부터 {b}시 {m}분까지 실행합니다",
            "It runs from {a:02d}:00 to {b:02d}:{m:02d}",
        ),
        "window_hours": (
            "{a}시부터 {b}시까지 실행합니다",
            "It runs from {a:02d}:00 through {b:02d}:00",
        ),
    }
)

QUESTIONS: Final = MappingProxyType(
    {
        "time_missing": ("몇 시에 실행할까요? (예: 오전 9시)", "At what time should it run? (e.g. 9:00)"),
        "time_ambiguous": (
            "{h}시는 오전인가요, 오후인가요?",
            "Is {h} o'clock in the morning or in the afternoon/evening?",
        ),
        "time_in_part": ("{part} 몇 시에 실행할까요?", "At what time in the {part} should it run?"),
        "time_minutes_differ": (
            "분이 다른 시각({times})은 하나의 일정으로 만들 수 없습니다. 같은 분으로 맞출까요?",
            "Times with different minutes ({times}) cannot share one schedule. Use the same minute?",
        ),
        "times_a_day": (
            "하루 {n}번이면 각각 몇 시에 실행할까요?",
            "Which {n} times of the day should it run?",
        ),
        "biweekly": (
            "격주(2주마다) 실행은 아직 지원하지 않습니다. 매주 실행해도 될까요?",
            "Running every other week is not supported yet. Is every week all right?",
        ),
        "day_shift": (
            "자정을 넘기는 시각이라 실행 날짜가 하루 바뀝니다. 어느 날에 실행할까요?",
            "The time crosses midnight, so the run falls on another day. On which days should it run?",
        ),
        "one_off": (
            "한 번만 실행하는 예약은 지원하지 않습니다. 매일 반복할까요?",
            "One-off runs cannot be scheduled. Should it repeat every day?",
        ),
        "impossible_date": (
            "그 날짜는 달력에 없습니다. 매년 몇 월 며칠에 실행할까요?",
            "That date is not on the calendar. On which day of the year should it run?",
        ),
        "interval_hours": (
            "{n}시간 간격은 cron으로 정확히 만들 수 없습니다. 매일 같은 시각에 실행할까요?",
            "Every {n} hours cannot be written exactly in cron. Run it at one time each day instead?",
        ),
        "interval_uneven": (
            "{n}분 간격은 cron으로 정확히 만들 수 없습니다. 몇 분(또는 몇 시간) 간격으로 할까요?",
            "Every {n} minutes cannot be written exactly in cron. Which interval in minutes or hours?",
        ),
    }
)
