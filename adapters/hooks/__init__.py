"""Running hook commands, and reading hooks (and their approvals) from the settings files.

Rules a reader must not break:
- a hook's input is written to its stdin as JSON; the command line is the settings' string
  as written, never with input spliced in;
- each hook runs in its own process group with the workspace as its working directory and
  ``CLAUDE_PROJECT_DIR`` set; a timeout stops the whole group;
- a project settings file's hooks run only when the trust store approves its exact hooks.

What lives where:
- ``runner.py``: ``HookProcessRunner`` (the ``HookProcesses`` port), parallel runs;
- ``loading.py``: the hooks of each settings layer, trust applied, as a ``HookSet``.
"""
