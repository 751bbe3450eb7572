"""What ``/sandbox`` shows: whether Bash is confined, why not, and what the boundary is."""

from __future__ import annotations

from domain.sandbox.config import SandboxConfig
from domain.sandbox.network import DomainPolicy
from domain.sandbox.plan import SandboxPlan


def describe_sandbox(
    config: SandboxConfig,
    unavailable: str | None,
    plan: SandboxPlan | None,
    domains: DomainPolicy,
) -> list[str]:
    if not config.enabled:
        return [
            "Sandbox: off; Bash runs unconfined under the permission rules.",
            '/sandbox on switches it on for this session; "sandbox": {"enabled": true} in '
            "settings (or --sandbox) for every run.",
        ]
    lines: list[str] = []
    if unavailable is not None:
        if config.fail_if_unavailable:
            lines.append(f"Sandbox: on but unavailable, so Bash is refused: {unavailable}")
        else:
            lines.append(
                f"Sandbox: on but unavailable; Bash runs UNSANDBOXED (failIfUnavailable is "
                f"false): {unavailable}"
            )
    else:
        asks = "runs without asking" if config.auto_allows else "still asks"
        lines.append(f"Sandbox: on (bubblewrap); a confined Bash call {asks} (deny/ask rules hold)")
    if plan is not None:
        lines += [f"  {line}" for line in plan.describe()]
    allowed = ", ".join(domains.allowed) if domains.allowed else "none (no network)"
    lines.append(f"  network: {allowed}")
    if domains.denied:
        lines.append(f"  denied domains: {', '.join(domains.denied)}")
    if config.excluded_commands:
        lines.append(f"  run outside it: {', '.join(config.excluded_commands)}")
    lines.append("/sandbox off switches it off for this session.")
    return lines
