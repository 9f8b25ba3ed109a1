"""Which worked example a planned step is built from (its *skeleton*).

Retrieval ranks the bank's examples by how near each is to the request (`ExampleBank.nearest`); the
top 2-3 are the model's few-shot. A planned step whose structure an example also has (an API_CALL of
the same provider endpoint, a NOTIFICATION on the same channel) copies that example's step, from the
nearest example that has one: "Naver blog search" from the nearest example that searches Naver
blogs, whatever its topic. The builders then keep the example's provider facts and put the
request's own slots in (`providers.from_skeleton`, `StepBuilder._notification`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mwo.spec import ApiCallStep, NotificationStep, StepBase

if TYPE_CHECKING:
    from mwo.authoring.examples import WorkedExample

PROVIDER_ENDPOINTS = {
    ("openapi.naver.com", "/v1/search/news.json"): "naver_news",
    ("openapi.naver.com", "/v1/search/blog.json"): "naver_blog",
    ("apis.data.go.kr", "/1360000/VilageFcstInfoService_2.0/getVilageFcst"): "kma",
    ("dapi.kakao.com", "/v2/local/search/keyword.json"): "kakao_local",
    ("papago.apigw.ntruss.com", "/nmt/v1/translation"): "papago",
}
"""The endpoints a planned provider step calls, by (host, path): the structure two steps share."""


@dataclass(frozen=True)
class Skeleton:
    """An example's step that a planned step starts from."""

    example: str
    step: dict[str, Any]


def structure_of(step: StepBase) -> str | None:
    """`naver_news`, `kma` ... for a provider's API_CALL, `notify:<channel>` for a NOTIFICATION,
    None for a step whose config is all the request's own (a script, a prompt, a URL)."""
    if isinstance(step, ApiCallStep):
        url = urlsplit(step.request.url)
        return PROVIDER_ENDPOINTS.get((url.hostname or "", url.path))
    if isinstance(step, NotificationStep):
        return f"notify:{step.channel.value}"
    return None


def find_skeleton(examples: Sequence[WorkedExample], structure: str) -> Skeleton | None:
    """The step of the first example (nearest first) that has `structure`, as spec data."""
    for example in examples:
        for step in example.workflow.steps:
            if structure_of(step) == structure:
                data = step.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)
                return Skeleton(example.name, data)
    return None
