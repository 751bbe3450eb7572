"""A tool result's ``structuredContent`` checked against the tool's ``outputSchema``, as the
SDK's client checks it (jsonschema, ``$ref`` resolved only inside the schema). Imported only
when a tool declares an output schema: jsonschema is not loaded otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import SchemaError, ValidationError, validate
from referencing import Registry
from referencing.exceptions import Unresolvable


def schema_problem(tool: str, schema: Mapping[str, Any], structured: object) -> str | None:
    """Why ``structured`` does not match ``schema``, or None when it does."""
    registry: Registry[Any] = Registry()
    try:
        validate(structured, dict(schema), registry=registry)
    except ValidationError as exc:
        return f"Invalid structured content returned by tool {tool}: {exc.message}"
    except (SchemaError, Unresolvable) as exc:
        return f"Invalid schema for tool {tool}: {exc}"
    return None
