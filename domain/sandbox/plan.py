"""The mount plan of a sandboxed command: what it can read, write, and cannot see.

Order matters (a later mount covers an earlier one), and is the whole design:

1. ``/`` read-only, a minimal ``/dev``, a fresh ``/proc``, and the session's own temporary
   folder as ``/tmp`` (the host's ``/tmp``, with other programs' sockets, is not seen);
2. hidden paths outside the writable roots (``denyRead``, ``Read(...)`` deny rules, the
   config home) are covered: a folder by an empty read-only tmpfs, a file by ``/dev/null``;
3. ``allowRead`` paths are bound again read-only (they win over ``denyRead``);
4. the writable roots are bound read-write: the workspace, ``additionalDirectories``,
   ``allowWrite`` and ``Edit(...)`` allow paths;
5. inside them, read-only carve-outs (their parent folders bound onto themselves first, so a
   rename cannot move a carve-out away from its name): the paths that decide what git,
   editors and hexclaw run next (``.git/hooks``, ``.git/config``, ``.git/commondir``, the git
   dirs of submodules and other worktrees, a ``.git`` link file, ``.claude``...),
   ``denyWrite`` and ``Edit(...)`` deny paths;
6. hidden paths inside the writable roots are covered last, so no bind re-opens them; the
   config home (credentials, sessions) is covered after everything, ``allowRead`` included.

Only paths that exist are protected by a mount (a bind needs something to cover); the
protected paths that are missing are listed in ``unprotected`` so the runner can report any
that a command creates.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import Literal

import attrs

from domain.permissions.rules import PermissionRule, RuleContext, path_filter
from domain.repr_base import Record
from domain.sandbox.config import FilesystemConfig
from domain.sandbox.ports import PathProbe

# Relative to each writable root: what runs code later (git hooks and config, editor tasks,
# hook managers, shell start-up files, MCP servers) or steers hexclaw's next run. The git
# dirs of submodules and of other worktrees hold their own config and hooks.
PROTECTED_DIRS = (
    ".git/hooks",
    ".git/modules",
    ".git/worktrees",
    # The user's own git config and attributes, when a writable root is the home folder.
    ".config/git",
    ".claude",
    ".vscode",
    ".idea",
    ".husky",
)
PROTECTED_FILES = (
    ".git/config",
    # Where git reads the rest of the repository from, its config included; and the
    # config of this worktree alone (read once extensions.worktreeConfig is set).
    ".git/commondir",
    ".git/config.worktree",
    # A HEAD at the root (with objects/ and refs/) makes git read the folder as a git dir,
    # and its config as git config: a planted one runs commands at the next git call.
    "HEAD",
    ".gitmodules",
    ".mcp.json",
    ".gitconfig",
    ".bashrc",
    ".bash_profile",
    ".zshrc",
    ".zprofile",
    ".profile",
    ".ripgreprc",
)
# Paths inside the sandbox, where /tmp is the session's own folder, not the host's.
SANDBOX_TMP = "/tmp"  # noqa: S108
_GLOB = re.compile(r"[*?\[]")

MountKind = Literal["ro-bind", "bind", "dev", "proc", "hide-dir", "hide-file"]


@attrs.frozen(repr=False)
class Mount(Record):
    kind: MountKind
    dest: str
    source: str = ""


@attrs.frozen(repr=False)
class PlanInputs(Record):
    workspace: str
    home: str
    config_home: str
    session_tmp: str
    additional_directories: tuple[str, ...] = ()
    filesystem: FilesystemConfig = attrs.field(factory=FilesystemConfig)
    read_deny: tuple[PermissionRule, ...] = ()
    edit_deny: tuple[PermissionRule, ...] = ()
    edit_allow: tuple[PermissionRule, ...] = ()


@attrs.frozen(repr=False)
class SandboxPlan(Record):
    mounts: tuple[Mount, ...]
    writable: tuple[str, ...]
    read_only: tuple[str, ...]
    hidden: tuple[str, ...]
    unprotected: tuple[str, ...]
    """Protected paths that did not exist when the plan was made."""

    def describe(self) -> list[str]:
        return [
            "writable: "
            + ", ".join(
                f"{p} (this session's own)" if p == SANDBOX_TMP else p for p in self.writable
            ),
            "read-only inside them: " + (", ".join(self.read_only) or "nothing"),
            "hidden: " + (", ".join(self.hidden) or "nothing"),
        ]


def settings_path(path: str, inputs: PlanInputs) -> str:
    """A path from ``sandbox.filesystem``: ``~/x`` from home, ``/x`` and ``//x`` absolute,
    anything else from the workspace."""
    if path == "~" or path.startswith("~/"):
        return posixpath.normpath(inputs.home + path[1:])
    if path.startswith("/"):
        return posixpath.normpath("/" + path.lstrip("/"))
    return posixpath.normpath(posixpath.join(inputs.workspace, path))


def build_plan(inputs: PlanInputs, probe: PathProbe) -> SandboxPlan:
    ctx = RuleContext(workspace=inputs.workspace, home=inputs.home)
    fs = inputs.filesystem

    def resolved(paths: Iterable[str]) -> list[str]:
        return _unique(probe.resolve(p) for p in paths)

    writable = resolved(
        [
            inputs.workspace,
            *inputs.additional_directories,
            *(settings_path(p, inputs) for p in fs.allow_write),
            *_rule_paths(inputs.edit_allow, ctx, probe, expand=False),
        ]
    )
    writable = [p for p in writable if probe.kind(p) == "dir"]
    allow_read = [p for p in resolved(settings_path(p, inputs) for p in fs.allow_read)]
    allow_read = [p for p in allow_read if probe.kind(p) != "missing"]
    config_home = probe.resolve(inputs.config_home)
    denied = resolved(
        [
            *(settings_path(p, inputs) for p in fs.deny_read),
            *_rule_paths(inputs.read_deny, ctx, probe, expand=True),
        ]
    )
    hidden = [p for p in denied if not _within_any(p, allow_read) and p != config_home]
    hidden = [p for p in hidden if probe.kind(p) != "missing"]

    protected = [posixpath.join(root, name) for root in writable for name in PROTECTED_DIRS]
    protected += [posixpath.join(root, name) for root in writable for name in PROTECTED_FILES]
    # A linked worktree's (or a submodule's) .git is a file naming its git dir: pointed
    # elsewhere, git would read a planted config there.
    protected += [
        link for root in writable if probe.kind(link := posixpath.join(root, ".git")) == "file"
    ]
    denied_writes = resolved(
        [
            *(settings_path(p, inputs) for p in fs.deny_write),
            *_rule_paths(inputs.edit_deny, ctx, probe, expand=True),
        ]
    )
    read_only = [p for p in _unique([*protected, *denied_writes]) if probe.kind(p) != "missing"]
    unprotected = [p for p in protected if probe.kind(p) == "missing"]
    read_only = [p for p in read_only if _within_any(p, writable)]

    inside_writable = [p for p in hidden if _within_any(p, writable)]
    # The host's /tmp is covered by the session's own: what lies there is already unseen.
    covered = [p for p in hidden if p not in inside_writable and _within_any(p, [SANDBOX_TMP])]
    mounts: list[Mount] = [
        Mount("ro-bind", "/", "/"),
        Mount("dev", "/dev"),
        Mount("proc", "/proc"),
        Mount("bind", SANDBOX_TMP, inputs.session_tmp),
    ]
    mounts += [_hide(p, probe) for p in hidden if p not in inside_writable and p not in covered]
    mounts += [Mount("ro-bind", p, p) for p in allow_read]
    mounts += [Mount("bind", p, p) for p in writable]
    mounts += [Mount("bind", p, p) for p in _pinned_parents(read_only, writable, probe)]
    mounts += [Mount("ro-bind", p, p) for p in read_only]
    mounts += [_hide(p, probe) for p in inside_writable]
    if probe.kind(config_home) != "missing":
        # Last of all: no allow list, writable root or bind above can re-open it.
        mounts.append(_hide(config_home, probe))
        hidden.append(config_home)
    return SandboxPlan(
        mounts=tuple(mounts),
        writable=(SANDBOX_TMP, *writable),
        read_only=tuple(read_only),
        hidden=tuple(hidden),
        unprotected=tuple(unprotected),
    )


def _pinned_parents(read_only: list[str], writable: list[str], probe: PathProbe) -> list[str]:
    """The folders between a writable root and its read-only carve-outs, bound onto
    themselves: a mount point cannot be renamed, so ``mv .git elsewhere && mkdir -p
    .git/hooks`` cannot put a writable ``.git/hooks`` where git looks (the carve-out would
    move away with the renamed folder)."""
    parents: list[str] = []
    for path in read_only:
        root = max((r for r in writable if _within_any(path, [r])), key=len, default=None)
        if root is None:
            continue
        parent = posixpath.dirname(path)
        chain: list[str] = []
        while parent != root and _within_any(parent, [root]):
            chain.append(parent)
            parent = posixpath.dirname(parent)
        parents += [p for p in reversed(chain) if probe.kind(p) == "dir"]
    return _unique(parents)


def _hide(path: str, probe: PathProbe) -> Mount:
    return Mount("hide-dir" if probe.kind(path) == "dir" else "hide-file", path)


def _rule_paths(
    rules: Iterable[PermissionRule], ctx: RuleContext, probe: PathProbe, *, expand: bool
) -> list[str]:
    """The paths file rules name: a literal path or ``dir/**`` directly; any other pattern,
    when ``expand``, by listing what it matches (a bare ``*.pem`` at any depth)."""
    paths: list[str] = []
    for rule in rules:
        if rule.specifier is None:
            continue
        base, pattern = rule_base(rule.specifier, ctx)
        literal = pattern.removesuffix("/**")
        if literal.startswith("/") and not _GLOB.search(literal):
            paths.append(posixpath.normpath(base.rstrip("/") + literal))
        elif expand:
            hidden = path_filter([rule], rule.tool, ctx)
            if hidden is not None:
                paths += probe.matching(base, hidden)
    return paths


def rule_base(spec: str, ctx: RuleContext) -> tuple[str, str]:
    """The folder a rule's path starts from and the pattern from there, as permission rules
    read it: ``//abs``, ``~/x``, ``./x`` or ``/x`` (the workspace), ``../x``."""
    if spec.startswith("//"):
        return "/", "/" + spec[2:]
    if spec == "~" or spec.startswith("~/"):
        return ctx.home, "/" + spec[2:]
    base = ctx.workspace
    if spec.startswith("./"):
        spec = "/" + spec[2:]
    while spec.lstrip("/").startswith("../"):
        base = posixpath.dirname(base.rstrip("/")) or "/"
        spec = "/" + spec.lstrip("/")[3:]
    return base, spec


def _within_any(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _unique(paths: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(path, None)
    return list(seen)
