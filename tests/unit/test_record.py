"""Record's one shared ``__repr__`` prints what attrs' generated one would."""

from __future__ import annotations

import attrs

from domain.messages.content import TextBlock
from domain.repr_base import Record
from domain.tools.calls import Decision


def _show(value: list[int]) -> str:
    return f"<{len(value)} items>"


@attrs.frozen
class ByAttrs:
    name: str
    secret: str = attrs.field(default="s", repr=False)
    items: list[int] = attrs.field(factory=list, repr=_show)


@attrs.frozen(repr=False)
class ByRecord(Record):
    name: str
    secret: str = attrs.field(default="s", repr=False)
    items: list[int] = attrs.field(factory=list, repr=_show)


@attrs.define
class LoopByAttrs:
    children: list[object]


@attrs.define(repr=False)
class LoopByRecord(Record):
    children: list[object]


def test_the_shared_repr_matches_the_generated_one() -> None:
    for value in ("plain", "quote's\n", ""):
        by_attrs = repr(ByAttrs(value, "hidden", [1, 2]))
        assert repr(ByRecord(value, "hidden", [1, 2])) == by_attrs.replace("ByAttrs", "ByRecord")
    assert "hidden" not in repr(ByRecord("x", "hidden"))


def test_a_structure_that_contains_itself_is_shown_with_an_ellipsis() -> None:
    by_attrs, by_record = LoopByAttrs([]), LoopByRecord([])
    by_attrs.children.append(by_attrs)
    by_record.children.append(by_record)
    assert repr(by_record) == repr(by_attrs).replace("LoopByAttrs", "LoopByRecord")


def test_hexclaw_classes_use_it_and_keep_slots() -> None:
    assert repr(TextBlock("hi")).startswith("TextBlock(")
    assert "text='hi'" in repr(TextBlock("hi"))
    assert repr(Decision("ask", "why")).startswith("Decision(verdict='ask', reason='why'")
    assert not hasattr(Decision("allow"), "__dict__")
