"""Reading agent files from the project's and the user's ``agents`` folders.

Rules a reader must not break:
- a file that cannot be read or parsed is a warning, never an error that stops the run;
- a project agent's ``permissionMode`` is kept only when the trust store approves that exact
  file; user agents need no approval.

What lives where:
- ``agent_files.py``: ``load_agents`` and the trust items of project agents.
"""
