"""``--json-schema`` around a turn: read the schema, and after the turn put the validated
answer (or why there is none) where the result line takes it from."""

from __future__ import annotations

import json
from pathlib import Path

from domain.headless.errors import InvalidJsonSchema
from domain.headless.structured_output import StructuredAnswer
from domain.loop.agent_loop import TurnResult
from domain.messages.content import JSONObject
from entrypoints.print_output import PrintObserver


def load_schema(raw: str) -> JSONObject:
    """The schema from inline JSON or from a file."""
    text = raw
    if not raw.lstrip().startswith("{"):
        try:
            text = Path(raw).read_text(encoding="utf-8-sig")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise InvalidJsonSchema(f"--json-schema: cannot read {raw} ({reason})") from None
        except UnicodeDecodeError:
            raise InvalidJsonSchema(f"--json-schema: {raw} is not UTF-8 text") from None
    try:
        schema = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidJsonSchema(f"--json-schema is not JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise InvalidJsonSchema("--json-schema must be a JSON object (a JSON Schema)")
    return schema


def structured_answer(raw: str | None) -> StructuredAnswer | None:
    return None if raw is None else StructuredAnswer(schema=load_schema(raw))


def settle(observer: PrintObserver, answer: StructuredAnswer | None, result: TurnResult) -> bool:
    """Hand the turn's structured answer to the result line; False when it failed."""
    observer.structured_output = None
    observer.structured_failure = None
    if answer is None or result.is_error:
        return True
    if answer.valid:
        observer.structured_output = answer.value
        return True
    observer.structured_failure = f"the answer does not match --json-schema: {answer.last_error}"
    return False
