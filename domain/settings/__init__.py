"""Settings: merging the layers (user, project, local, ``--settings``) with provenance.

Rules a reader must not break:
- A project's own files cannot take over the user's machine: ``layer_trust`` is the table of
  what each layer may set, and each refusal is one warning.
- A syntax error names file, line and column.
- No attrs here (the records are NamedTuples, ``Settings`` a plain class): ``-p`` reads the
  settings before it spawns its MCP servers, ahead of its heavy imports (``entrypoints/
  config.py`` says why).

What lives where: ``merge``, ``layer_trust``.
"""
