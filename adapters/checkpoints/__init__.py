"""The checkpoint store on disk, the workspace scans, and rewinding files.

Rules a reader must not break:
- The store is ``$CLAUDE_CONFIG_HOME/file-history/<session-id>/`` (``journal.jsonl`` and
  ``blobs/``), never inside the workspace; blobs are content-addressed (sha256) and
  compressed, so a file kept by many turns is stored once.
- The baseline (a copy of every file the scan lists, kept up to date incrementally) is what
  makes a Bash call's changes recoverable: the prior content is already stored before the
  call runs.
- Files restored by a rewind are written atomically (a temporary file renamed over).

What lives where: ``blob_store``, ``workspace_scan`` (what is listed: git's tracked and
untracked-not-ignored files, or a walk without ``.git`` outside a repository),
``recorder`` (turns, the baseline, the tool wrapper), ``rewinder`` (previews and restores).
"""
