"""Checks stats.py: prints one line per case and exits 1 if any case fails."""

import sys

from stats import average, spread

CASES = [
    ("average", average, [2, 4, 6], 4),
    ("average", average, [10], 10),
    ("spread", spread, [3, 9, 4], 6),
]

failed = 0
for name, function, values, expected in CASES:
    got = function(values)
    ok = got == expected
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}({values}) = {got:g} (expected {expected})")
print(f"{len(CASES) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
