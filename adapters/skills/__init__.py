"""Reading skills from ``.claude/skills`` and ``$CLAUDE_CONFIG_HOME/skills``, with the trust
of a project skill's scripts.

Rules a reader must not break:
- a project skill with scripts is returned only when its folder's exact content is
  approved; otherwise it is named in one warning line and left out;
- nothing here runs a script.

What lives where:
- ``skill_files.py``: ``load_skills`` and the trust item of a project skill.
"""
