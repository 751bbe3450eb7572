"""Plays a recorded headless transcript as if it were the agent: reads the client's lines from
stdin and writes the recorded output lines to stdout, in the recorded order.

Each transcript line is ``{"note": ...}`` (skipped), ``{"out": LINE}`` (written) or
``{"in": PATTERN}``: the next stdin line must contain PATTERN (every key, recursively), else
the player exits 3 naming the difference. ``"$request_id"`` in an output line stands for the
``request_id`` of the last control request read. After the last step the player waits for
stdin to close, as the agent would, and exits 0.

Usage: python transcript_player.py TRANSCRIPT.jsonl
"""

from __future__ import annotations

import json
import sys
from typing import Any


def contains(value: Any, pattern: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            key in value and contains(value[key], want) for key, want in pattern.items()
        )
    return bool(value == pattern)


def substitute(value: Any, request_id: str) -> Any:
    if value == "$request_id":
        return request_id
    if isinstance(value, dict):
        return {k: substitute(v, request_id) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, request_id) for v in value]
    return value


def main(path: str) -> int:
    request_id = ""
    with open(path, encoding="utf-8") as transcript:
        steps = [json.loads(line) for line in transcript if line.strip()]
    for number, step in enumerate(steps, 1):
        if "out" in step:
            sys.stdout.write(json.dumps(substitute(step["out"], request_id)) + "\n")
            sys.stdout.flush()
        elif "in" in step:
            line = sys.stdin.readline()
            if not line:
                print(f"step {number}: stdin closed, expected {step['in']}", file=sys.stderr)
                return 3
            got = json.loads(line)
            if not contains(got, step["in"]):
                print(f"step {number}: expected {step['in']}, got {got}", file=sys.stderr)
                return 3
            if got.get("type") == "control_request":
                request_id = str(got.get("request_id", ""))
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
