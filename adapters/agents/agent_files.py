"""``load_agents``: the agents of ``.claude/agents/*.md`` and ``$CLAUDE_CONFIG_HOME/agents``."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import attrs

from adapters.files.trust_store import load_ledger, workspace_key
from domain.agents.definitions import AgentDefinition, AgentScope, parse_agent
from domain.trust.items import TrustItem
from domain.trust.ledger import TrustCheck, TrustLedger
from domain.trust.notices import skipped_line


def load_agents(
    workspace: Path,
    home: Path,
    known_tools: Collection[str] | None = None,
    ledger: TrustLedger | None = None,
    warnings: list[str] | None = None,
    approve: Callable[[TrustCheck], bool] | None = None,
) -> list[AgentDefinition]:
    """User agents, then project ones (which replace a user agent of the same name), sorted by
    name. Problems go to ``warnings`` (one line each). ``approve`` (the REPL) is asked about a
    project agent's unapproved ``permissionMode`` (and stores the answer); without it the mode
    is dropped with a warning."""
    sink: list[str] = [] if warnings is None else warnings
    found: dict[str, AgentDefinition] = {}
    folders: list[tuple[Path, AgentScope]] = [
        (home / "agents", "user"),
        (workspace / ".claude" / "agents", "project"),
    ]
    for folder, scope in folders:
        for agent in _read_folder(folder, scope, known_tools, sink):
            found[agent.name] = agent
    agents = sorted(found.values(), key=lambda a: a.name)
    if any(a.scope == "project" and a.permission_mode for a in agents):
        trusted = ledger if ledger is not None else load_ledger(home, sink)
        agents = [_checked(a, workspace, trusted, sink, approve) for a in agents]
    for agent in agents:
        sink.extend(agent.warnings)
    return agents


def agent_trust_item(agent: AgentDefinition, workspace: Path) -> TrustItem | None:
    """What approving a project agent pins: its file's exact bytes (None when nothing needs it)."""
    if agent.scope != "project" or agent.permission_mode is None:
        return None
    path = Path(agent.source)
    try:
        content = path.read_bytes()
    except OSError:
        return None
    relative = _relative(path, workspace)
    return TrustItem(
        "agent",
        workspace_key(workspace),
        relative,
        content,
        summary=f"agent {agent.name} runs with permissionMode: {agent.permission_mode}",
    )


def _checked(
    agent: AgentDefinition,
    workspace: Path,
    ledger: TrustLedger,
    warnings: list[str],
    approve: Callable[[TrustCheck], bool] | None,
) -> AgentDefinition:
    item = agent_trust_item(agent, workspace)
    if item is None:
        return agent
    check = ledger.check(item)
    if check.verdict == "approved" or (approve is not None and approve(check)):
        return agent
    warnings.append(skipped_line(check))
    return attrs.evolve(agent, permission_mode=None)


def _read_folder(
    folder: Path, scope: AgentScope, known_tools: Collection[str] | None, warnings: list[str]
) -> list[AgentDefinition]:
    try:
        paths = sorted(p for p in folder.glob("*.md") if p.is_file())
    except OSError:
        return []
    agents: list[AgentDefinition] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{path}: cannot read the agent file ({exc.__class__.__name__})")
            continue
        parsed = parse_agent(text, str(path), scope, path.stem, known_tools)
        if isinstance(parsed, str):
            warnings.append(parsed)
        else:
            agents.append(parsed)
    return agents


def _relative(path: Path, workspace: Path) -> str:
    try:
        return str(Path(workspace_key(path)).relative_to(workspace_key(workspace)))
    except ValueError:
        return str(path)
