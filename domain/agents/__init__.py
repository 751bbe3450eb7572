"""Agents defined in files (``.claude/agents/*.md``): parsed and validated; running them is the
subagent runtime's job.

Rules a reader must not break:
- a project agent's ``permissionMode`` widens what runs, so it counts only once the user has
  approved that exact file (``domain/trust``); an unapproved one is dropped with a warning;
- a project agent overrides a user agent of the same name, as in Claude Code;
- unknown tool names are named in a warning, never silently offered.

What lives where:
- ``definitions.py``: ``AgentDefinition`` and parsing one file's text into it.
"""
