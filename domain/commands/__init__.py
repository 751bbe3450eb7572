"""Slash commands as text: recognising them, suggesting the nearest one, completing them.

Rules a reader must not break:
- Parsing never runs anything: it returns what was typed, and the entry points decide.

What lives where: ``parser``.
"""
