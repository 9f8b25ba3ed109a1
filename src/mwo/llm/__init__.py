"""The LLM layer: one service that asks the configured chat model, checks structure and traces.

Modules: `model_files` (the embedded GGUF, joined from PyPI parts), `local` (llama.cpp, loaded once
per process), `openai_compat` (any OpenAI-compatible endpoint), `fake` (tests), `factory` (which
one, by settings), `structured` (JSON Schema answers), `tracing` (llm_calls rows, LangSmith),
`errors` (typed errors with fixes), `interrupt` (stopping a call in flight: cancel, deadline),
`prompt_cache` (saved prompt states in RAM or on disk), `service` (the entry point).
"""

from mwo.llm.errors import LlmError
from mwo.llm.service import LlmAnswer, LlmRequest, LlmService

__all__ = ["LlmAnswer", "LlmError", "LlmRequest", "LlmService"]
