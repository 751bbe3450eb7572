"""Files hexclaw keeps or reads for the domain: settings layers, instruction files, sessions.

Rules a reader must not break:
- Session entries are appended with one write and an fsync each.

What lives where: ``settings_files``, ``memory_files``, ``session_store``.
"""
