"""A server's ``elicitation/create`` request as a form of fields, and typed answers to it.

The requested schema is a flat object of primitives (MCP's rule): strings (with ``enum`` or
``oneOf`` choices), numbers, integers, booleans, and arrays of choices. An empty answer takes
the field's default; a required field without one must be answered. Print mode never asks:
every request is declined there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from domain.repr_base import Record

Kind = Literal["string", "number", "integer", "boolean", "choice", "choices"]


@attrs.frozen(repr=False)
class Field(Record):
    name: str
    kind: Kind
    title: str = ""
    description: str = ""
    required: bool = False
    default: object = None
    options: tuple[tuple[str, str], ...] = ()
    """For choices: each value and its label."""

    @property
    def has_default(self) -> bool:
        return self.default is not None

    def label(self) -> str:
        what: str = self.kind
        if self.options:
            shown = ", ".join(v if v == t else f"{v} ({t})" for v, t in self.options)
            what = ("one of " if self.kind == "choice" else "comma-separated, from ") + shown
        default = f"; default {_shown(self.default)}" if self.has_default else ""
        need = "required" if self.required and not self.has_default else "optional"
        head = self.title or self.name
        return f"{head} [{what}; {need}{default}]"


def form_fields(schema: object) -> list[Field]:
    if not isinstance(schema, Mapping):
        return []
    properties = schema.get("properties")
    required = schema.get("required") or []
    if not isinstance(properties, Mapping):
        return []
    return [
        _field(str(name), spec, name in required)
        for name, spec in properties.items()
        if isinstance(spec, Mapping)
    ]


def _field(name: str, spec: Mapping[str, Any], required: bool) -> Field:
    title = str(spec.get("title") or "")
    description = str(spec.get("description") or "")
    default = spec.get("default")
    kind = spec.get("type")
    options = _options(spec)
    if kind == "array":
        items = spec.get("items")
        return Field(
            name,
            "choices",
            title,
            description,
            required,
            default,
            _options(items) if isinstance(items, Mapping) else (),
        )
    if options:
        return Field(name, "choice", title, description, required, default, options)
    if kind in ("number", "integer", "boolean"):
        return Field(name, kind, title, description, required, default)
    return Field(name, "string", title, description, required, default)


def _options(spec: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    if isinstance(spec.get("enum"), list):
        names = spec.get("enumNames")
        labels = names if isinstance(names, list) and len(names) == len(spec["enum"]) else None
        return tuple(
            (str(v), str(labels[i]) if labels else str(v)) for i, v in enumerate(spec["enum"])
        )
    for key in ("oneOf", "anyOf"):
        choices = spec.get(key)
        if isinstance(choices, list):
            return tuple(
                (str(c["const"]), str(c.get("title") or c["const"]))
                for c in choices
                if isinstance(c, Mapping) and "const" in c
            )
    return ()


class Missing:
    """An optional field left empty: not in the answer."""


MISSING = Missing()


def parse_answer(field: Field, text: str) -> tuple[object, str | None]:
    """The typed value for what was typed, or why it is not one."""
    text = text.strip()
    if not text:
        if field.has_default:
            return field.default, None
        if field.required:
            return None, f"{field.name} is required"
        return MISSING, None
    if field.kind == "boolean":
        if text.lower() in ("y", "yes", "true", "1"):
            return True, None
        if text.lower() in ("n", "no", "false", "0"):
            return False, None
        return None, "answer yes or no"
    if field.kind in ("number", "integer"):
        try:
            value: float | int = int(text) if field.kind == "integer" else float(text)
        except ValueError:
            return (
                None,
                f"{text!r} is not {'a whole number' if field.kind == 'integer' else 'a number'}",
            )
        return value, None
    values = [v for v, _ in field.options]
    if field.kind == "choice":
        return (text, None) if text in values else (None, f"choose one of {', '.join(values)}")
    if field.kind == "choices":
        picked = [part.strip() for part in text.split(",") if part.strip()]
        wrong = [p for p in picked if values and p not in values]
        if wrong:
            return None, f"{', '.join(wrong)}: choose from {', '.join(values)}"
        return picked, None
    return text, None


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
