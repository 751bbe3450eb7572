"""Skills (``.claude/skills/<name>/SKILL.md``): the model sees names and descriptions, and
loads a skill's body with the ``Skill`` tool when a task fits.

Rules a reader must not break:
- only names and descriptions go into the context, within a character budget; a body is
  sent only when the Skill tool loads it;
- a project skill that brings scripts is offered only once the user approved that folder's
  exact content (``domain/trust``); its scripts still run only through Bash under the rules.

What lives where:
- ``definitions.py``: ``SkillDefinition``, parsing ``SKILL.md``, and the listing text.
"""
