"""Content-pinned trust: what a repository brings that can run code runs only once the user has
approved exactly that content.

Rules a reader must not break:
- an approval is keyed by workspace + kind + item id and pinned to the sha256 digest of the
  item's exact content; any byte changed makes the verdict ``changed``, never ``approved``;
- the digest covers kind, workspace and item id as well as the content, so an approval cannot be
  carried to another folder or another item by copying its digest;
- pure rules only: the file that holds approvals is read and written in
  ``adapters/files/trust_store.py``; the time of an approval is handed in by the caller.

What lives where:
- ``items.py``: ``TrustItem`` (one thing that needs approval) and its digest;
- ``ledger.py``: ``Approval``, ``TrustLedger`` and the verdict of checking an item against it;
- ``difference.py``: the text shown when an approved item's content changed;
- ``errors.py``: the area's error hierarchy;
- ``git_programs.py``: what a repository's own git config could make hexclaw's git calls run
  (an fsmonitor, hooks, its filter drivers), which is never approved, only switched off.
"""
