"""pyproject.toml lists every package of the code, so the wheel leaves none out."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        "hexclaw." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("domain", "adapters", "entrypoints")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert set(config["packages"]) == on_disk | {"hexclaw"}
    assert config["package-dir"]["hexclaw"] == "scripts/hexclaw_root"
