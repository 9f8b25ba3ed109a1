"""The worked-example bank: bilingual (request -> workflow) pairs the planner copies from.

A small model writes a spec far better when it starts from a finished one that did nearly the same
job, so authoring retrieves the 2-3 nearest examples of a request (few-shot and skeletons). The
shipped bank is data, one YAML file per example under `authoring/bank/`; every file is parsed and
statically checked on load, so a broken example fails loudly instead of teaching the model a
mistake. A user bank (`<home>/authoring/examples/`) grows from the workflows a person saves when
`authoring_learn_examples` is on, and is searched together with the shipped one.

Retrieval is the knowledge base's hybrid search at a small scale: the same embedder (e5 "query:" /
"passage:" forms) and the same Kiwi tokens for BM25, fused by the same `fuse`. An example is
embedded once per language (a Korean request is nearest to the Korean phrasing), and scores the
better of the two.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import numpy as np
import yaml

from mwo.errors import FixableError
from mwo.knowledge.embeddings import (
    CachedEmbedder,
    Embedder,
    Vectors,
    embedder_from_settings,
    load_vector_file,
    save_vector_file,
)
from mwo.knowledge.errors import EmbeddingUnavailable
from mwo.knowledge.fusion import FusionMethod, fuse
from mwo.knowledge.keyword_index import RELATIVE_FLOOR, KeywordHit
from mwo.knowledge.vector_index import VectorHit
from mwo.settings import Settings
from mwo.spec import (
    ApiCallStep,
    NotificationStep,
    SpecError,
    Workflow,
    check_workflow,
    dump_workflow,
    workflow_from_data,
)
from mwo.spec.yaml_io import load_yaml_data

if TYPE_CHECKING:
    from mwo.knowledge.text import KoreanText

log = logging.getLogger(__name__)

BANK_DIR = Path(__file__).parent / "bank"
BANK_VECTORS = BANK_DIR / "vectors.npz"
USER_BANK = Path("authoring") / "examples"
# A request sharing every given tag gains this share of the best fused score: enough to lift a
# close second above the first, not enough to beat a clearly better text match.
TAG_BOOST = 0.5
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_FILE_KEYS = frozenset({"request_ko", "request_en", "tags", "notes", "spec"})
# API hosts that name a provider of the knowledge packs (tags `provider:<name>`).
_PROVIDER_HOSTS = {
    "openapi.naver.com": "naver",
    "naverapihub.apigw.ntruss.com": "naver",
    "apis.data.go.kr": "kma",
    "kapi.kakao.com": "kakao",
    "dapi.kakao.com": "kakao",
    "papago.apigw.ntruss.com": "naver",
}

Origin = Literal["shipped", "user"]


class ExampleBankError(FixableError):
    """An example file that cannot be used (bad YAML, a spec that does not check, wrong tags)."""

    code = "example_bank"


@dataclass(frozen=True)
class WorkedExample:
    """One request in both languages with the workflow that does it."""

    name: str
    request_ko: str
    request_en: str
    tags: tuple[str, ...]
    spec_yaml: str
    workflow: Workflow = field(compare=False, hash=False, repr=False)
    notes: str = ""
    origin: Origin = "shipped"

    @property
    def key(self) -> str:
        """Unique across both banks (a user example may share a shipped example's name)."""
        return f"{self.origin}:{self.name}"

    def request(self, language: str) -> str:
        """The request in `language` ("ko" or "en"), or the other one when that is missing."""
        first, second = (
            (self.request_ko, self.request_en) if language == "ko" else (self.request_en, self.request_ko)
        )
        return first or second


def derived_tags(workflow: Workflow) -> set[str]:
    """The tags a spec implies: trigger kind, step types, channels and the packs' providers."""
    tags = {f"trigger:{workflow.trigger.type}"}
    for step in workflow.steps:
        tags.add(f"step:{step.type.value}")
        if isinstance(step, NotificationStep):
            tags.add(f"channel:{step.channel.value}")
            if step.channel.value == "kakao":
                tags.add("provider:kakao")
        if isinstance(step, ApiCallStep):
            provider = _PROVIDER_HOSTS.get(urlsplit(step.request.url).hostname or "")
            if provider:
                tags.add(f"provider:{provider}")
    return tags


def _normalised_tag(tag: str) -> str:
    return tag.strip().lower()


def _tag_matches(wanted: str, tags: Collection[str]) -> bool:
    """`naver` matches `provider:naver`; `step:llm_call` and `LLM_CALL` match `step:LLM_CALL`."""
    wanted = _normalised_tag(wanted)
    for tag in tags:
        tag = _normalised_tag(tag)
        if wanted == tag or (":" not in wanted and tag.split(":", 1)[-1] == wanted):
            return True
    return False


def example_from_data(data: Mapping[str, Any], name: str, origin: Origin = "shipped") -> WorkedExample:
    """Build and check one example; ExampleBankError names the file's problem and its fix."""
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise ExampleBankError(
            f"example {name}: unknown keys {sorted(unknown)}",
            f"an example file holds only {sorted(_FILE_KEYS)}",
        )
    spec = data.get("spec")
    if not isinstance(spec, dict):
        raise ExampleBankError(f"example {name}: no `spec` mapping", "put the workflow under `spec:`")
    try:
        workflow = workflow_from_data(spec, file=name)
    except SpecError as exc:
        raise ExampleBankError(f"example {name}: {exc}", "fix the spec (see `mwo schema`)") from exc
    findings = check_workflow(workflow)
    if findings:
        raise ExampleBankError(
            f"example {name}: " + "; ".join(str(f) for f in findings), "fix the references in the spec"
        )
    if workflow.name != name:
        raise ExampleBankError(
            f"example {name}: the spec is named {workflow.name!r}", f"name the file {workflow.name}.yaml"
        )
    request_ko = str(data.get("request_ko") or "").strip()
    request_en = str(data.get("request_en") or "").strip()
    if not request_ko and not request_en:
        raise ExampleBankError(f"example {name}: no request", "write request_ko and/or request_en")
    tags = [str(t) for t in data.get("tags") or []]
    missing = derived_tags(workflow) - set(tags)
    if missing:
        raise ExampleBankError(
            f"example {name}: tags miss what the spec does: {sorted(missing)}", "add them to `tags`"
        )
    return WorkedExample(
        name=name,
        request_ko=request_ko,
        request_en=request_en,
        tags=tuple(sorted(set(tags))),
        spec_yaml=dump_workflow(workflow),
        workflow=workflow,
        notes=str(data.get("notes") or "").strip(),
        origin=origin,
    )


def load_example_file(path: Path, origin: Origin = "shipped") -> WorkedExample:
    try:
        data = load_yaml_data(path.read_text(encoding="utf-8"))  # bounded: aliases, expansion, depth
    except (OSError, yaml.YAMLError) as exc:
        raise ExampleBankError(f"example file {path} cannot be read: {exc}", "fix the YAML") from exc
    if not isinstance(data, dict):
        raise ExampleBankError(f"example file {path} is not a mapping", "start it with `request_ko:`")
    return example_from_data(data, path.stem, origin)


def load_shipped_examples(folder: Path = BANK_DIR) -> list[WorkedExample]:
    """Every shipped example, checked; a broken one raises (it is a bug in MWO, caught by tests)."""
    return [load_example_file(p) for p in sorted(folder.glob("*.yaml"))]


def _load_user_examples(folder: Path) -> list[WorkedExample]:
    """Saved examples; one a person broke by hand is skipped with a warning, not fatal to authoring."""
    examples = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            examples.append(load_example_file(path, "user"))
        except ExampleBankError as exc:
            log.warning("skipping user example %s: %s (%s)", path, exc, exc.fix)
    return examples


def _passages(example: WorkedExample) -> list[str]:
    """What is embedded: each phrasing of the request with the spec's description."""
    description = example.workflow.description
    texts = [r for r in (example.request_ko, example.request_en) if r]
    return [f"{t}\n{description}" if description else t for t in texts]


def _keyword_text(example: WorkedExample) -> str:
    """What BM25 sees: both phrasings, the description and the tag values (naver, slack, cron ...)."""
    tag_words = " ".join(t.split(":", 1)[-1].replace("_", " ") for t in example.tags)
    return "\n".join([example.request_ko, example.request_en, example.workflow.description, tag_words])


@dataclass
class _Index:
    """Vectors (one row per phrasing, `owner` maps rows to examples) and the BM25 model."""

    vectors: Vectors
    owner: list[int]
    bm25: Any
    vocab: set[str]
    complete: bool = True  # False: built without vectors (embeddings down), rebuilt on next search


class ExampleBank:
    """The shipped examples plus the user's saved ones, searched by meaning and by words."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        text: KoreanText | None = None,
        include_user: bool = True,
    ) -> None:
        """`embedder`/`text` default to the configured ones, loaded on first search (share loaded ones)."""
        self.settings = settings
        self._embedder = embedder
        self._cached: CachedEmbedder | None = None
        self._text = text
        self._include_user = include_user
        self._examples: list[WorkedExample] | None = None
        self._index: _Index | None = None

    @classmethod
    def shipped(
        cls, settings: Settings, *, embedder: Embedder | None = None, text: KoreanText | None = None
    ) -> ExampleBank:
        """Only the examples MWO ships (benchmarks and tests: the same bank on every machine)."""
        return cls(settings, embedder=embedder, text=text, include_user=False)

    # contents ------------------------------------------------------------------------------------
    @property
    def user_dir(self) -> Path:
        return self.settings.resolved_home() / USER_BANK

    @property
    def learning(self) -> bool:
        """Whether saved workflows become examples (`authoring_learn_examples`)."""
        return self.settings.authoring_learn_examples

    def all(self) -> list[WorkedExample]:
        if self._examples is None:
            examples = load_shipped_examples()
            if self._include_user:
                examples += _load_user_examples(self.user_dir)
            self._examples = examples
        return list(self._examples)

    def get(self, name: str) -> WorkedExample:
        """The example called `name` (a user example wins over a shipped one of the same name)."""
        found = [e for e in self.all() if e.name == name]
        if not found:
            raise ExampleBankError(f"no worked example {name!r}", "see ExampleBank.all() for the names")
        return found[-1]

    def add(self, request: str, workflow: Workflow) -> WorkedExample | None:
        """Keep a saved workflow as an example of `request`; None when learning is off.

        One example per workflow name: saving a new version replaces the older example.
        """
        if not self.learning:
            return None
        request = request.strip()
        if not request:
            raise ExampleBankError("an example needs the request it answers", "pass the user's request")
        findings = check_workflow(workflow)
        if findings:
            raise ExampleBankError(
                f"workflow {workflow.name} does not check: {findings[0]}", "save only valid workflows"
            )
        korean = bool(_HANGUL.search(request))
        data = {
            "request_ko": request if korean else "",
            "request_en": "" if korean else request,
            "tags": sorted(derived_tags(workflow)),
            "spec": workflow.canonical_dict(),
        }
        self.user_dir.mkdir(parents=True, exist_ok=True)
        path = self.user_dir / f"{workflow.name}.yaml"
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        example = example_from_data(data, workflow.name, "user")
        if self._examples is not None:
            self._examples = [e for e in self._examples if e.key != example.key] + [example]
            self._index = None
        return example

    # search --------------------------------------------------------------------------------------
    def _keywords(self) -> KoreanText:
        if self._text is None:
            from mwo.knowledge.text import KoreanText

            self._text = KoreanText()
        return self._text

    def _vectors(self) -> Embedder:
        """The given (or configured) embedder, answering the shipped passages from bank/vectors.npz."""
        if self._cached is None:
            inner = self._embedder or embedder_from_settings(self.settings.kb)
            known = load_vector_file(BANK_VECTORS, inner.model_id)
            self._cached = CachedEmbedder(inner, known, remember=False)  # queries are not kept
        return self._cached

    def _built(self) -> _Index:
        if self._index is None or not self._index.complete:
            import bm25s

            examples = self.all()
            passages: list[str] = []
            owner: list[int] = []
            for i, example in enumerate(examples):
                for text in _passages(example):
                    passages.append(text)
                    owner.append(i)
            complete = True
            try:
                vectors = self._vectors().embed_passages(passages)
            except EmbeddingUnavailable as exc:
                log.warning("worked examples found by keywords only: %s", exc)
                vectors, owner, complete = np.zeros((0, 1), dtype=np.float32), [], False
            corpus = [self._keywords().keyword_tokens(_keyword_text(e)) or ["\u2205"] for e in examples]
            bm25 = bm25s.BM25(k1=1.2, b=0.75)
            bm25.index(corpus, show_progress=False)
            self._index = _Index(vectors, owner, bm25, set(bm25.vocab_dict), complete)
        return self._index

    def _vector_hits(self, request: str, index: _Index, examples: list[WorkedExample]) -> list[VectorHit]:
        if not index.owner:
            return []
        try:
            query = self._vectors().embed_queries([request])[0]
        except EmbeddingUnavailable as exc:
            log.warning("worked examples found by keywords only: %s", exc)
            return []
        similarity = index.vectors @ query
        best: dict[int, float] = {}
        for row, i in enumerate(index.owner):
            best[i] = max(best.get(i, -1.0), float(similarity[row]))
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
        return [VectorHit(examples[i].key, score) for i, score in ranked]

    def _keyword_hits(self, request: str, index: _Index, examples: list[WorkedExample]) -> list[KeywordHit]:
        tokens = [t for t in self._keywords().keyword_tokens(request) if t in index.vocab]
        if not tokens:
            return []
        scores = np.asarray(index.bm25.get_scores(tokens), dtype=np.float32)
        order = np.argsort(-scores)
        floor = max(float(scores[order[0]]) * RELATIVE_FLOOR, 1e-9)
        return [KeywordHit(examples[i].key, float(scores[i])) for i in order if scores[i] >= floor]

    def nearest(
        self,
        request: str,
        k: int = 3,
        *,
        tags: Collection[str] = (),
        require: Collection[str] = (),
    ) -> list[WorkedExample]:
        """The k examples most like `request`, best first.

        `tags` (e.g. detected providers, channels, step types; bare `naver` or `step:API_CALL`)
        lift examples that carry them; `require` keeps only examples carrying all of those.
        """
        examples = self.all()
        if not examples or k <= 0 or not request.strip():
            return []
        index = self._built()
        fused = fuse(
            self._vector_hits(request, index, examples),
            self._keyword_hits(request, index, examples),
            FusionMethod(self.settings.kb_fusion),
        )
        by_key = {e.key: e for e in examples}
        top = fused[0].score if fused else 0.0
        scored: dict[str, float] = {f.chunk_id: f.score for f in fused}
        wanted = [t for t in tags if t.strip()]
        ranked = []
        for example in examples:
            if require and not all(_tag_matches(t, example.tags) for t in require):
                continue
            score = scored.get(example.key)
            share = sum(_tag_matches(t, example.tags) for t in wanted) / len(wanted) if wanted else 0.0
            if score is None and share == 0.0:
                continue
            ranked.append((((score or 0.0) + TAG_BOOST * top * share), example))
        ranked.sort(key=lambda pair: pair[0], reverse=True)
        return [by_key[e.key] for _, e in ranked[:k]]


def nearest_examples(request: str, k: int = 3, *, settings: Settings | None = None) -> list[WorkedExample]:
    """One-off search over the shipped and user banks (loads the models: keep an ExampleBank to repeat)."""
    return ExampleBank(settings or Settings()).nearest(request, k)


def build_bank_vectors(target: Path = BANK_VECTORS, settings: Settings | None = None) -> int:
    """Precompute the shipped examples' passage vectors (run after editing the bank); returns rows."""
    inner = embedder_from_settings((settings or Settings()).kb)
    cache = CachedEmbedder(inner, {}, remember=True)
    passages = [p for e in load_shipped_examples() for p in _passages(e)]
    cache.embed_passages(passages)
    save_vector_file(target, inner.model_id, cache.known)
    return len(cache.known)


def requests_of(examples: Iterable[WorkedExample]) -> list[str]:
    """Every phrasing of every example (tests check they are unique)."""
    return [r for e in examples for r in (e.request_ko, e.request_en) if r]


if __name__ == "__main__":  # python -m mwo.authoring.examples: refresh bank/vectors.npz
    print(f"{build_bank_vectors()} vectors written to {BANK_VECTORS}")
