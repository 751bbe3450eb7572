"""One ``__repr__`` for every attrs class of hexclaw, instead of one generated per class.

attrs writes and compiles a ``__repr__`` for each class as its module is imported; for the 80
classes a ``hexclaw -p`` run loads, that was about 10 ms of every start. This one reads the
fields when a repr is asked for and prints what attrs would: ``Name(field=value, ...)``,
leaving out fields declared with ``repr=False`` and using a field's own repr callable.
"""

from __future__ import annotations

import reprlib
from typing import TYPE_CHECKING, cast

import attrs

if TYPE_CHECKING:
    from attrs import AttrsInstance


class Record:
    """Base of an attrs class declared with ``repr=False`` (the class keeps attrs' slots)."""

    __slots__ = ()

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        cls = type(self)
        shown: list[str] = []
        for field in attrs.fields(cast("type[AttrsInstance]", cls)):
            if field.repr is False:
                continue
            value = getattr(self, field.name, attrs.NOTHING)
            text = field.repr(value) if callable(field.repr) else repr(value)
            shown.append(f"{field.name}={text}")
        return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({', '.join(shown)})"
