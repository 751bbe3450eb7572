"""The approvals file on disk: atomic 0600 writes, unknown keys kept, a corrupt file untouched."""

from __future__ import annotations

import json
import stat
import threading
from functools import partial
from pathlib import Path

import pytest

from adapters.files.trust_store import TrustStore
from domain.trust.errors import TrustFileError
from domain.trust.items import TrustItem
from domain.trust.ledger import TrustLedger


def item(content: bytes, item_id: str = ".claude/settings.json") -> TrustItem:
    return TrustItem("hook", "/w", item_id, content)


def test_no_file_means_nothing_approved_and_nothing_created(tmp_path: Path) -> None:
    store = TrustStore.in_home(tmp_path / "home")
    assert store.load().approvals == ()
    assert not (tmp_path / "home").exists()


def test_approve_writes_a_0600_file_in_a_0700_folder_and_reads_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = TrustStore.in_home(home)
    store.update(lambda ledger: ledger.approve([item(b"one")], "t"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert TrustStore.in_home(home).load().check(item(b"one")).verdict == "approved"
    assert TrustStore.in_home(home).load().check(item(b"two")).verdict == "changed"
    assert [p.name for p in home.iterdir() if p.name.endswith(".tmp")] == []


def test_unknown_keys_survive_a_save(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "trust.json")
    entry = TrustLedger().approve([item(b"a")], "t").approvals[0].to_entry()
    entry["future"] = {"x": 1}
    store.path.write_text(json.dumps({"version": 7, "other": [1, 2], "approvals": [entry]}))
    store.update(lambda ledger: ledger.approve([item(b"b", ".claude/settings.local.json")], "t"))
    document = json.loads(store.path.read_text())
    assert document["version"] == 7
    assert document["other"] == [1, 2]
    assert document["approvals"][0]["future"] == {"x": 1}
    assert len(document["approvals"]) == 2


@pytest.mark.parametrize(
    "text",
    ["{not json", "[1, 2]", '{"approvals": 3}', '{"approvals": [{"kind": "rocket"}]}', "\udcff"],
)
def test_a_corrupt_file_is_reported_and_left_untouched(tmp_path: Path, text: str) -> None:
    store = TrustStore(tmp_path / "trust.json")
    store.path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    before = store.path.read_bytes()
    with pytest.raises(TrustFileError, match=r"trust\.json"):
        store.load()
    with pytest.raises(TrustFileError, match=r"left unchanged|cannot use|approval"):
        store.update(lambda ledger: ledger.approve([item(b"x")], "t"))
    assert store.path.read_bytes() == before


def test_concurrent_approvals_both_survive(tmp_path: Path) -> None:
    def approve(name: str) -> None:
        store = TrustStore(tmp_path / "trust.json")
        for index in range(15):
            store.update(
                partial(TrustLedger.approve, items=[item(b"x", f"{name}{index}")], approved_at="t")
            )

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(TrustStore(tmp_path / "trust.json").load().approvals) == 30
