"""JSON Schema checks with the ``jsonschema`` library, imported only when a schema is used so
a plain ``hexclaw -p`` never pays for it."""

from __future__ import annotations

from typing import Any

from domain.headless.errors import InvalidJsonSchema
from domain.messages.content import JSONObject

MAX_ERRORS_SHOWN = 3


class SchemaValidator:
    """A checked schema; ``__call__`` returns None for a valid value, else what is wrong."""

    def __init__(self, schema: JSONObject) -> None:
        import jsonschema

        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise InvalidJsonSchema(
                f"--json-schema is not a valid JSON Schema: {exc.message}"
            ) from None
        self._validator = cls(schema)

    def __call__(self, value: Any) -> str | None:
        errors = sorted(self._validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        if not errors:
            return None
        shown = [_describe(e) for e in errors[:MAX_ERRORS_SHOWN]]
        more = len(errors) - len(shown)
        return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    return f"at /{where}: {error.message}" if where else str(error.message)
