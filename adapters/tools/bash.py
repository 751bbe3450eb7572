"""Bash: run a command in a persistent working directory, in its own process group.

The working directory carries over between calls: the shell writes ``pwd -P`` to a file
when it exits, and the next call starts there (back at the workspace root if it left the
workspace or no longer exists). Output (stdout and stderr interleaved on one pipe) is kept
as head and tail only, so memory stays bounded however much a command prints.
"""

from __future__ import annotations

import contextlib
import copy
import os
import stat
import tempfile
from typing import TYPE_CHECKING

import attrs

from adapters.tools.support.background_jobs import BackgroundJobs
from adapters.tools.support.process_group import DEFAULT_GRACE, run_streaming
from adapters.tools.support.tool_errors import ToolInputError
from adapters.tools.support.tool_input import ToolInput
from adapters.tools.support.truncation import HeadTailBuffer
from adapters.tools.support.workspace import Workspace
from domain.messages.content import JSONObject
from domain.repr_base import Record
from domain.tools.calls import ToolAccess, ToolOutcome

if TYPE_CHECKING:
    from adapters.sandbox.runner import Launch, Sandbox
    from domain.sandbox.plan import SandboxPlan

# $1 is the file for the final working directory, $2 the command; positional parameters are
# cleared so the command sees none, as at a prompt.
_SCRIPT = """__hexclaw_cwd_file=$1
__hexclaw_command=$2
set --
trap 'pwd -P >"$__hexclaw_cwd_file" 2>/dev/null' EXIT
eval "$__hexclaw_command"
"""

SCHEMA: JSONObject = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "command": {"type": "string"},
        "timeout": {"type": "number"},
        "description": {"type": "string"},
        "run_in_background": {"type": "boolean"},
        "dangerouslyDisableSandbox": {"type": "boolean"},
    },
    "required": ["command"],
    "additionalProperties": False,
}


@attrs.frozen(repr=False)
class BashLimits(Record):
    default_timeout: float = 120.0
    max_timeout: float = 600.0
    output_chars: int = 30_000
    kill_grace: float = DEFAULT_GRACE


def _description(limits: BashLimits) -> str:
    return f"""Run a bash command and return its combined stdout and stderr and exit code.
- The working directory persists between calls (a `cd` carries over) and stays inside the \
workspace. Environment variables do not persist.
- timeout is in milliseconds: default {limits.default_timeout * 1000:.0f}, at most \
{limits.max_timeout * 1000:.0f}. On timeout the command and everything it started are stopped.
- Output over {limits.output_chars:,} characters is cut in the middle.
- The command has no terminal and no input: avoid interactive programs and pagers \
(use `git --no-pager`, `-y` flags).
- run_in_background starts a long-running command (a server, a watcher) and returns a job id \
at once; read its output with BashOutput and stop it with KillShell.
- Quote paths that contain spaces. Chain dependent commands with &&.
- Prefer Read, Glob, Grep, Edit and Write over cat, find, grep, sed and echo redirections."""


SANDBOX_NOTE = """
- Commands run in an OS sandbox: only the workspace and /tmp are writable (.git/hooks, \
.git/config and .claude stay read-only), the config home is hidden, and the network is \
closed except for allowed domains through a proxy. A failure such as "Read-only file system" \
or a 403 from the proxy comes from the sandbox: explain what needs access and ask the user; \
set dangerouslyDisableSandbox only when the user asks for it or a command cannot work \
sandboxed (it then needs the user's permission)."""


class BashTool:
    name = "Bash"

    def __init__(
        self,
        workspace: Workspace,
        jobs: BackgroundJobs,
        limits: BashLimits | None = None,
        shell: str = "/bin/bash",
        sandbox: Sandbox | None = None,
    ) -> None:
        self.workspace = workspace
        self.jobs = jobs
        self.limits = limits or BashLimits()
        self.shell = shell
        self.sandbox = sandbox
        self.cwd = str(workspace.root)

    def for_subagent(self) -> BashTool:
        """The same tool for a subagent, with a working directory of its own (starting where
        the parent's is): its ``cd`` does not move the parent, nor the parent's it."""
        return copy.copy(self)

    def definition(self) -> JSONObject:
        description = _description(self.limits)
        if self.sandbox is not None and self.sandbox.enabled:
            description += SANDBOX_NOTE
        return {"name": self.name, "description": description, "input_schema": SCHEMA}

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        command = tool_input.get("command")
        if isinstance(command, str) and "\0" in command:
            # bash cannot be given it, and the rules would judge text bash never sees.
            raise ToolInputError("the command contains a NUL byte")
        text = command if isinstance(command, str) else None
        return ToolAccess(
            tool=self.name,
            kind="execute",
            command=text,
            sandbox_auto_allow=text is not None and self._auto_allowed(text, tool_input),
            leaves_sandbox=text is not None and self._leaves_sandbox(text, tool_input),
        )

    def _leaves_sandbox(self, command: str, tool_input: JSONObject) -> bool:
        sandbox = self.sandbox
        if sandbox is None:
            return False
        route = sandbox.route(command, tool_input.get("dangerouslyDisableSandbox") is True)
        return route.kind in ("excluded", "unsandboxed")

    def _auto_allowed(self, command: str, tool_input: JSONObject) -> bool:
        sandbox = self.sandbox
        if sandbox is None or not sandbox.config.auto_allows:
            return False
        if not sandbox.route(command, tool_input.get("dangerouslyDisableSandbox") is True).confined:
            return False
        # Failing closed, the call is refused when it runs, so allowing it here is harmless;
        # with failIfUnavailable off it would run unsandboxed, so it is asked about.
        return sandbox.config.fail_if_unavailable or sandbox.available()

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        command = args.string("command")
        timeout_ms = args.optional_number("timeout", minimum=1)
        background = args.optional_bool("run_in_background")
        label = args.optional_string("description") or _one_line(command)
        notes: list[str] = []
        plan: SandboxPlan | None = None
        if self.sandbox is not None:
            # Only a session with a sandbox loads it: -p without one starts as fast as before.
            from adapters.sandbox.confinement import confine

            disable = args.optional_bool("dangerouslyDisableSandbox")
            confinement = confine(self.sandbox, command, disable)
            if isinstance(confinement, ToolOutcome):
                return confinement
            plan, note = confinement
            if note:
                notes.append(note)
        if not os.path.isdir(self.cwd):
            notes.append(f"The working directory {self.cwd} is gone; ran in {self.workspace.root}.")
            self.cwd = str(self.workspace.root)
        if background:
            return self._start_background(command, plan, label)
        timeout = self.limits.default_timeout
        if timeout_ms is not None:
            timeout = min(timeout_ms / 1000, self.limits.max_timeout)
        output = HeadTailBuffer(self.limits.output_chars * 2, self.limits.output_chars * 2)
        launch: Launch | None = None
        if plan is not None and self.sandbox is not None:
            cwd_file, cwd_inside = self.sandbox.scratch_file()
            launch = self.sandbox.launch(
                [self.shell, "-c", _SCRIPT, "hexclaw", cwd_inside, command], self.cwd, plan
            )
            argv = launch.argv
        else:
            fd, cwd_file = tempfile.mkstemp(prefix="hexclaw-cwd-")
            os.close(fd)
            argv = [self.shell, "-c", _SCRIPT, "hexclaw", cwd_file, command]
        try:
            result = run_streaming(
                argv,
                self.cwd,
                output.feed,
                timeout,
                grace=self.limits.kill_grace,
                pass_fds=launch.pass_fds if launch is not None else (),
            )
            notes.extend(self._follow_cd(cwd_file))
        finally:
            if launch is not None:
                launch.close()
            with contextlib.suppress(OSError):
                os.unlink(cwd_file)
        text = output.text(self.limits.output_chars).rstrip("\n")
        code = result.returncode
        if result.timed_out:
            notes.append(
                f"Timed out after {timeout:g} s; the command and its child processes were stopped."
            )
        elif code is not None and code != 0:
            notes.append(f"Exit code {code}")
        flagged: list[tuple[str, str]] = []
        warning = ""
        if plan is not None:
            assert self.sandbox is not None
            from adapters.sandbox.confinement import review_warning, sandbox_notes

            flagged = sandbox_notes(
                self.sandbox, plan, text if code != 0 else "", self.workspace.display
            )
            notes.extend(note for _, note in flagged)
            warning = review_warning(flagged)
        body = "\n".join(part for part in [text or "(no output)", *notes] if part)
        failed = result.timed_out or code != 0
        status = "timed out" if result.timed_out else f"exit {code}"
        if flagged:
            # The user's one line says what the sandbox stopped (or wants reviewed).
            status += "; " + "; ".join(short for short, _ in flagged)
        return ToolOutcome(
            content=body,
            is_error=failed,
            summary=f"{label} ({status})",
            warning=warning,
            structured={
                "stdout": text,
                "stderr": "",
                "exitCode": code,
                "interrupted": result.timed_out,
                "cwd": self.cwd,
            },
        )

    def _start_background(self, command: str, plan: SandboxPlan | None, label: str) -> ToolOutcome:
        argv = [self.shell, "-c", command]
        if plan is not None and self.sandbox is not None:
            # The launch's proxy port is served until the session ends (Sandbox.close).
            launch = self.sandbox.launch(argv, self.cwd, plan)
            try:
                job = self.jobs.start(launch.argv, self.cwd, command, launch.pass_fds)
            finally:
                launch.started()
        else:
            job = self.jobs.start(argv, self.cwd, command)
        return ToolOutcome(
            content=f"Started in the background as {job.id} (pid {job.proc.pid}). Read its "
            f'output with BashOutput (bash_id "{job.id}"); stop it with KillShell '
            f'(shell_id "{job.id}").',
            summary=f"{label} (background job {job.id})",
            structured={"backgroundTaskId": job.id},
        )

    def _follow_cd(self, cwd_file: str) -> list[str]:
        # A sandboxed command can replace the file (it lies in its /tmp): never follow a
        # symlink, never wait on a FIFO, read only a small regular file.
        try:
            fd = os.open(cwd_file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return []
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return []
            new = os.read(fd, 65536).decode("utf-8", "replace").strip()
        except OSError:
            return []
        finally:
            os.close(fd)
        if not new or new == self.cwd:
            return []
        if self.workspace.contains(os.path.realpath(new)) and os.path.isdir(new):
            self.cwd = new
            return []
        self.cwd = str(self.workspace.root)
        return [
            f"The working directory was reset to {self.cwd}: commands run inside the workspace."
        ]


def _one_line(command: str, limit: int = 80) -> str:
    flat = " ".join(command.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
