"""Hooks: commands from settings that run at defined points of a session, with Claude Code's
schema (``hooks`` in settings.json) and contract (stdin JSON, exit codes, JSON output).

Rules a reader must not break:
- a hook's input goes on its stdin as JSON, never into a command line;
- a hook's ``allow`` never overrides a deny rule or an every-time ask (protected paths such as
  ``.git/`` and ``.claude/``, ask rules): deny rules are checked before hooks run at all;
- ``ask`` from a hook where nobody can answer (``-p``) is a denial;
- a project's hooks run only once the user approved that file's exact ``hooks`` content; the
  caller hands in only the commands that may run (``domain/trust``);
- Stop hooks continue a turn a bounded number of times (``MAX_STOP_CONTINUATIONS``).

What lives where:
- ``events.py``: the event names and what their matcher is matched against;
- ``config.py``: parsing a settings layer's ``hooks`` into ``HookCommand`` entries;
- ``matching.py``: matcher semantics (exact, ``A|B``, regular expression, ``*``/empty);
- ``outcome.py``: a finished run (exit code, stdout, stderr) read as Claude Code reads it;
- ``dispatch.py``: ``HookDispatcher``, the loop's ``LoopHooks`` port made from the above;
- ``ports.py``: what the loop calls (``LoopHooks``) and what runs processes (``HookProcesses``).
"""
