"""Checkpoints and rewind: what each turn changed in the workspace, and how to take it back.

Rules a reader must not break:
- Every change hexclaw's tools make (Write, Edit, Bash and anything Bash started) is recorded
  with the file's content from *before* the change: a rewind restores bytes and mode exactly.
- A file changed by someone else since hexclaw last touched it is a conflict: rewind refuses
  and names it, unless forced.
- A rewind is itself a checkpoint (a turn of its own), so it can be undone.
- The history lives in the config home, never in the user's repository, and is bounded.

What lives where: ``snapshot`` (file states and what changed between two scans), ``journal``
(the journal entries, and reading them into turns), ``restore`` (the plan to put a turn back,
with conflicts), ``limits`` (sizes, what is never snapshotted, eviction of old turns).
"""
