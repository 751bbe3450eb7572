"""``--json-schema``: the model gives its final answer as the input of a tool whose schema is
the user's, as Claude Code does; the answer is validated, the model may correct it once after
reading the validation error, and the valid answer becomes ``structured_output`` in the result.

The API wants a tool's input to be an object: a schema for anything else (an array, a string)
is wrapped as the property ``value`` of an object and unwrapped again here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from domain.messages.content import JSONObject
from domain.repr_base import Record
from domain.tools.calls import ToolOutcome

TOOL_NAME = "StructuredOutput"
MAX_ATTEMPTS = 2
WRAPPED_KEY = "value"
DESCRIPTION = (
    "Give your final answer with this tool, as its input, once you have it. The input must "
    "match the tool's schema exactly; call it once, then stop."
)
SYSTEM_INSTRUCTION = (
    f"The user's program expects your final answer as structured data: when you have it, call "
    f"the {TOOL_NAME} tool with the answer as its input (it must match the tool's input "
    f"schema). Answering in text alone does not count."
)

NOT_CALLED = f"the model did not call the {TOOL_NAME} tool"

# Checks a value against the schema: None when it is valid, otherwise what is wrong.
Validator = Callable[[Any], str | None]


def is_object_schema(schema: JSONObject) -> bool:
    return schema.get("type") == "object"


def tool_input_schema(schema: JSONObject) -> JSONObject:
    if is_object_schema(schema):
        return schema
    return {"type": "object", "properties": {WRAPPED_KEY: schema}, "required": [WRAPPED_KEY]}


def tool_definition(schema: JSONObject) -> JSONObject:
    return {
        "name": TOOL_NAME,
        "description": DESCRIPTION,
        "input_schema": tool_input_schema(schema),
    }


@attrs.define(repr=False)
class StructuredAnswer(Record):
    """The answers the model offered in one run, and the one that validated."""

    schema: JSONObject
    attempts: int = 0
    value: Any = None
    valid: bool = False
    last_error: str = NOT_CALLED

    def reset(self) -> None:
        """A new turn asks for a new answer."""
        self.attempts, self.value, self.valid, self.last_error = 0, None, False, NOT_CALLED

    def offer(self, tool_input: JSONObject, validate: Validator) -> ToolOutcome:
        if self.valid:
            return ToolOutcome(content="The answer was already received; stop here.")
        self.attempts += 1
        value = tool_input if is_object_schema(self.schema) else tool_input.get(WRAPPED_KEY)
        error = validate(value)
        if error is None:
            self.value, self.valid = value, True
            return ToolOutcome(
                content="The structured answer was received and is valid.", summary="valid"
            )
        self.last_error = error
        if self.attempts < MAX_ATTEMPTS:
            return ToolOutcome(
                content=f"The input does not match the schema: {error}. Call {TOOL_NAME} "
                "again with corrected input.",
                is_error=True,
                summary="invalid",
            )
        return ToolOutcome(
            content=f"The input does not match the schema again: {error}. Do not call "
            f"{TOOL_NAME} again; stop.",
            is_error=True,
            summary="invalid, no retries left",
        )
