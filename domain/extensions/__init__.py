"""What file-defined extensions (commands, skills, agents) share: Markdown with frontmatter.

Rules a reader must not break:
- a file is parsed as Claude Code writes it (YAML frontmatter between ``---`` lines, then the
  body); a frontmatter that is not valid YAML falls back to ``key: value`` lines, as Claude
  Code tolerates descriptions with colons in them;
- parsing never runs anything and never raises for bad content: problems are warnings.

What lives where:
- ``frontmatter.py``: splitting a file into frontmatter values and body; tool-list values;
- ``errors.py``: the area's error hierarchy.
"""
