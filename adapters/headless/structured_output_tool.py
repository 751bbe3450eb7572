"""The ``StructuredOutput`` tool of ``--json-schema``: the model's final answer arrives as its
input and is checked against the user's schema."""

from __future__ import annotations

from adapters.headless.json_schema import SchemaValidator
from domain.headless.structured_output import TOOL_NAME, StructuredAnswer, tool_definition
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolOutcome


class StructuredOutputTool:
    name = TOOL_NAME

    def __init__(self, answer: StructuredAnswer) -> None:
        self.answer = answer
        self._validate = SchemaValidator(answer.schema)

    def definition(self) -> JSONObject:
        return tool_definition(self.answer.schema)

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        # It only hands the answer back: nothing to permit.
        return ToolAccess(tool=self.name, kind="none")

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        return self.answer.offer(tool_input, self._validate)
