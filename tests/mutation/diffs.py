"""Prints each named mutant's diff, as JSON, in one process (``mutmut show`` takes a second
each). Run by ``run.py`` in a module's folder, with mutmut installed: it is imported by name
so that the check venv, which has no mutmut, still type-checks this file."""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any


def main(names: list[str]) -> None:
    diff_apply: Any = importlib.import_module("mutmut.mutation.diff_apply")
    diffs = {}
    for name in names:
        found = diff_apply.find_mutant(name)
        diffs[name] = diff_apply.get_diff_for_mutant(name, path=found.path)
    json.dump(diffs, sys.stdout)


if __name__ == "__main__":
    main(sys.stdin.read().split())
