"""NOTIFICATION: the executor (`executor.py`), the shared base of the channels (`base.py`) and one
module per channel (email, slack, discord, webhook, kakao, inbox)."""

from __future__ import annotations

from mwo.engine.executors.notification.discord import DISCORD_MAX_CHARS
from mwo.engine.executors.notification.executor import NotificationExecutor
from mwo.engine.executors.notification.kakao import KAKAO_MAX_CHARS

__all__ = ["DISCORD_MAX_CHARS", "KAKAO_MAX_CHARS", "NotificationExecutor"]
