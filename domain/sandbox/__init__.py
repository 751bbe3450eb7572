"""The OS sandbox for Bash: pure rules that turn settings into what a sandboxed command sees.

Rules a reader must not break:
- fail closed: when ``sandbox.enabled`` is on and the sandbox cannot start, Bash is refused,
  unless the user's own settings say ``failIfUnavailable: false``; nothing runs unsandboxed
  by accident;
- deny wins: a path hidden or read-only here stays so whatever allow list also names it
  (only ``allowRead`` re-opens a path that ``denyRead`` closed, as in Claude Code); the config
  home (credentials, sessions) is never visible inside;
- the plan is data: nothing here runs a process or touches a file; the facts about the
  filesystem it needs (does this path exist, is it a folder) come through ``PathProbe``.

What lives where:
- ``config``: the ``sandbox`` settings block read into ``SandboxConfig`` (with warnings);
- ``routing``: how one Bash call runs (sandboxed, excluded, or unsandboxed on request);
- ``plan``: the mount plan (read-only root, writable roots, carve-outs, hidden paths);
- ``bwrap_args``: the plan as a bubblewrap command line (Linux);
- ``seatbelt``: the plan as a Seatbelt profile for ``sandbox-exec`` (macOS);
- ``network``: which domains the proxy lets through, and the proxy's request parsing;
- ``ports``: the ``PathProbe`` port; ``errors``: the area's errors.
"""
