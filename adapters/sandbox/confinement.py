"""What the sandbox means for one Bash call: whether and how it is confined, and what to
tell the model and the user afterwards. The Bash tool calls these; nothing here runs."""

from __future__ import annotations

from collections.abc import Callable

from adapters.sandbox.runner import Sandbox
from adapters.sandbox.violations import refusal_note
from domain.sandbox.errors import SandboxError, SandboxUnavailable
from domain.sandbox.plan import SandboxPlan
from domain.tools.calls import ToolOutcome


def confine(
    sandbox: Sandbox | None, command: str, disable_requested: bool | None
) -> tuple[SandboxPlan | None, str] | ToolOutcome:
    """The plan to run under (None: unsandboxed) and a note, or the refusal when the
    sandbox is on and cannot start (failing closed)."""
    if sandbox is None:
        return None, ""
    route = sandbox.route(command, disable_requested is True)
    if route.kind in ("excluded", "unsandboxed"):
        return None, f"Ran outside the sandbox: {route.reason}."
    if not route.confined:
        return None, ""
    try:
        return sandbox.prepare(), ""
    except SandboxUnavailable as exc:
        if sandbox.config.fail_if_unavailable:
            return ToolOutcome(content=str(exc), is_error=True, summary=f"refused: {exc}")
        return None, f"Ran WITHOUT the sandbox, which cannot start here: {exc.cause}."
    except SandboxError as exc:
        return ToolOutcome(content=str(exc), is_error=True, summary=f"refused: {exc}")


REVIEW = "review "


def review_warning(notes: list[tuple[str, str]]) -> str:
    """The line the user sees even in -p when protected paths appeared ("" when none did)."""
    review = [short for short, _ in notes if short.startswith(REVIEW)]
    if not review:
        return ""
    return (
        f"sandbox: {'; '.join(review)}: it appeared while sandboxed commands ran, and decides "
        "what git, editors or hexclaw run next"
    )


def sandbox_notes(
    sandbox: Sandbox, plan: SandboxPlan, failed_output: str, display: Callable[[str], str]
) -> list[tuple[str, str]]:
    """What the sandbox did to this command: a few words for the user's line, and the
    note that tells the model (so it asks instead of retrying blindly)."""
    notes: list[tuple[str, str]] = []
    blocked = sandbox.take_blocked()
    allowed = sandbox.ask_about(blocked)
    refused = [host for host in blocked if host not in allowed]
    if allowed:
        hosts = ", ".join(allowed)
        notes.append(
            (
                f"{hosts} allowed for the session",
                f"Sandbox: the network proxy refused {hosts} during this command; the user "
                "has now allowed it for this session, so running the command again will "
                "reach it.",
            )
        )
    if refused:
        hosts = ", ".join(refused)
        notes.append(
            (
                f"sandbox blocked {hosts}",
                f"Sandbox: the network proxy refused {hosts} (not in "
                "sandbox.network.allowedDomains); ask the user to allow the domain instead "
                "of retrying.",
            )
        )
    created = sandbox.appeared()
    if created:
        shown = ", ".join(display(p) for p in created)
        # Usually this command; a background job started earlier can do it too.
        notes.append(
            (
                f"{REVIEW}{shown}",
                f"Sandbox: {', '.join(created)} appeared while sandboxed commands ran "
                "(created by this command or a background job); they decide what git, "
                "editors or hexclaw run next, so the user should review them.",
            )
        )
    refusal = refusal_note(failed_output, list(plan.writable))
    if refusal is not None and not blocked:
        notes.append(("the sandbox refused something", refusal))
    return notes
