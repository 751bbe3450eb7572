"""The checked-in list of equivalent mutants: changes that cannot alter behaviour.

Each entry names the module, where the change is (a function as ``Class.method`` or
``function``, or ``table NAME`` for an entry of a module-level table), the source line as it
stands and the line the mutant makes of it (``(dropped)`` for a table entry), and why no test
can tell them apart::

    [domain/permissions/shell_split.py] _Lexer.run
    - if char == "x":
    + if char >= "x":
    why: only ASCII reaches here, and nothing above "x" ...

Mutant numbers change whenever a function does, so an entry is matched by its text: a
survivor is equivalent when its module, place and changed line pair are listed. The list is
kept honest without mutmut: a test fails when an entry's line is no longer in its module.
"""

from __future__ import annotations

from pathlib import Path

import attrs

EQUIVALENTS = Path(__file__).with_name("equivalent_mutants.txt")
DROPPED = "(dropped)"


@attrs.frozen
class Equivalent:
    module: str
    place: str
    before: str
    after: str
    why: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.module, self.place, self.before, self.after)


def parse_equivalents(text: str) -> list[Equivalent]:
    entries: list[Equivalent] = []
    for number, block in enumerate(b for b in text.split("\n\n") if b.strip()):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#")]
        if not lines:
            continue
        if len(lines) != 4 or not lines[0].startswith("["):
            raise ValueError(f"entry {number + 1} is not [module] place / - / + / why: {block!r}")
        module, _, place = lines[0][1:].partition("] ")
        before, after, why = lines[1], lines[2], lines[3]
        if not (before.startswith("- ") and after.startswith("+ ") and why.startswith("why: ")):
            raise ValueError(f"entry {number + 1} is not [module] place / - / + / why: {block!r}")
        entries.append(Equivalent(module, place.strip(), before[2:], after[2:], why[5:]))
    return entries


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    return parse_equivalents(path.read_text()) if path.is_file() else []
