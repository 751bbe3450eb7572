"""/memory, /init and /diff: the instruction files and the state of the workspace."""

from __future__ import annotations

from rich.text import Text

from adapters.files.repository_scan import repository_facts
from adapters.system.editor import open_in_editor
from adapters.system.git import GitFailed, GitRunner
from domain.commands.parser import SlashInvocation
from domain.context.instruction_memory import LoadedMemory, describe_memory
from domain.context.starter_instructions import starter_claude_md
from entrypoints.bootstrap import load_instruction_memory
from entrypoints.repl.commands.conversation import write_new_file
from entrypoints.repl.commands.registry import CommandError, command
from entrypoints.repl.state import ReplState

MAX_DIFF_LINES = 400
UNTRACKED_SHOWN = 20
GIT_TIMEOUT = 15.0


@command(
    "memory",
    "the instruction files loaded; /memory N opens one in $EDITOR",
    "text",
    "[N|user|project]",
)
def memory(state: ReplState, invocation: SlashInvocation) -> None:
    if state.options.system_prompt is not None:
        state.renderer.info("--system-prompt replaced hexclaw's prompt, instruction files too.")
    loaded = state.ctx.memory or load_instruction_memory(state.ctx)
    choice = invocation.args.strip()
    if choice:
        open_in_editor(_memory_file(state, choice, loaded), state.ctx.environ)
        state.renderer.info("Saved changes apply from the next session (/clear starts one).")
        return
    for line in describe_memory(loaded):
        state.renderer.print(Text(line))
    for number, entry in enumerate(loaded.included, start=1):
        state.renderer.print(Text(f"  {number}. {entry.path}"))
    state.renderer.info(
        "/memory N opens file N in $EDITOR; /memory user or /memory project opens (or "
        "creates) that CLAUDE.md."
    )


def _memory_file(state: ReplState, choice: str, loaded: LoadedMemory) -> str:
    if choice == "user":
        return str(state.ctx.home / "CLAUDE.md")
    if choice == "project":
        return str(state.ctx.workspace / "CLAUDE.md")
    included = loaded.included
    if choice.isdigit() and 1 <= int(choice) <= len(included):
        return included[int(choice) - 1].path
    raise CommandError(
        f"/memory {choice}: name a number from 1 to {len(included)}, user, or project"
        if included
        else f"/memory {choice}: no instruction file is loaded; use /memory user or project"
    )


@command("init", "write a starter CLAUDE.md for this repository")
def init(state: ReplState, _: SlashInvocation) -> None:
    target = state.ctx.workspace / "CLAUDE.md"
    if target.exists():
        raise CommandError(
            f"{target} already exists; /init never overwrites it (edit it, or /memory to open it)"
        )
    text = starter_claude_md(repository_facts(state.ctx.workspace))
    write_new_file(target, text, f"{target} already exists; /init never overwrites it")
    state.renderer.print(Text(f"Wrote {target}: fill in the parts in parentheses."))
    state.renderer.info("It is read at the start of the next session (or after /clear).")


# No diff program or text conversion the repository names, and no look inside submodules'
# working trees (their own config would run there): domain/trust/git_programs.py.
SAFE_DIFF = ("--no-ext-diff", "--no-textconv", "--ignore-submodules=dirty")


@command("diff", "git diff of the workspace")
def diff(state: ReplState, _: SlashInvocation) -> None:
    workspace = state.ctx.workspace
    git = GitRunner(workspace, GIT_TIMEOUT)
    try:
        if not git.succeeds("rev-parse", "--is-inside-work-tree"):
            raise CommandError(f"{workspace} is not in a git repository")
        against = "HEAD" if git.succeeds("rev-parse", "--verify", "-q", "HEAD") else "--cached"
        changes = git.run("diff", *SAFE_DIFF, against)
        untracked = [u for u in git.run("ls-files", "--others", "--exclude-standard").split("\n")]
        untracked = [u for u in untracked if u]
        stat = git.run("diff", "--stat", *SAFE_DIFF, against) if changes.strip() else ""
    except FileNotFoundError:
        raise CommandError("git is not installed") from None
    except GitFailed as exc:
        raise CommandError(str(exc)) from None
    if not changes.strip() and not untracked:
        state.renderer.print(Text("No changes against HEAD."))
        return
    if changes.strip():
        state.renderer.print(Text(stat.rstrip(), style="bold"))
        state.renderer.diff(changes, MAX_DIFF_LINES, indent=0)
    if untracked:
        more = " …" if len(untracked) > UNTRACKED_SHOWN else ""
        shown = ", ".join(untracked[:UNTRACKED_SHOWN])
        state.renderer.print(Text(f"Untracked: {shown}{more}", style="yellow"))
