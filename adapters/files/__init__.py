"""Files hexclaw keeps or reads for the domain: settings layers, instruction files, sessions.

Rules a reader must not break:
- Session entries are appended with one write and an fsync each.
- A file that comes with a project (settings, instruction files, a Makefile) is read through
  ``bounded_read``: a regular file only, never more than a limit, so ``/dev/zero``, a FIFO or
  a huge file cannot hang or exhaust hexclaw.
- A tool opens a checked path through ``confined_open``: walked without following symlinks,
  so a folder swapped after the check fails the open instead of leaving the workspace.

What lives where: ``settings_files``, ``memory_files``, ``session_store``, ``repository_scan``,
``bounded_read`` (the one way to read a project's file), ``confined_open``, ``mention_files``
(what ``@path`` and pasted image paths attach, for the REPL and ``-p``), ``pdf_pages``
(pypdf: page counts and a PDF of chosen pages).
"""
