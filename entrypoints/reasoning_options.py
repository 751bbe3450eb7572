"""How a run thinks, from the command line, the environment and the settings.

``--max-thinking-tokens N`` beats ``MAX_THINKING_TOKENS``, which beats
``alwaysThinkingEnabled`` (on unless set false); 0 turns thinking off. ``effortLevel`` is the
starting effort, which ``/effort`` changes in the REPL. Only the standard library and the
domain are imported: the parser calls ``add_reasoning_arguments`` for every command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from domain.reasoning.plan import ReasoningControls
    from entrypoints.config import Config, RunOptions

BUDGET_VAR = "MAX_THINKING_TOKENS"


def add_reasoning_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-thinking-tokens",
        type=_budget,
        metavar="N",
        help="thinking budget per model call (0: no thinking; beats MAX_THINKING_TOKENS)",
    )


def _budget(raw: str) -> int:
    import argparse

    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {raw!r}")
    return value


def reasoning_controls(ctx: Config, options: RunOptions) -> ReasoningControls:
    from domain.reasoning.plan import ReasoningControls

    controls = ReasoningControls(
        enabled=ctx.settings.get("alwaysThinkingEnabled") is not False,
        effort=ctx.settings.get("effortLevel"),
    )
    if options.max_thinking_tokens is not None:
        controls.explicit_budget = options.max_thinking_tokens
        controls.budget_source = "--max-thinking-tokens"
        return controls
    raw = ctx.env(BUDGET_VAR)
    if raw is not None:
        try:
            value = int(raw.strip())
        except ValueError:
            value = -1
        if value < 0:
            ctx.warnings.append(f"{BUDGET_VAR} must be a whole number, 0 or more; got {raw!r}")
        else:
            controls.explicit_budget = value
            controls.budget_source = BUDGET_VAR
    return controls
