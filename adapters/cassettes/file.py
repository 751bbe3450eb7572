"""Reading and writing cassette files: vcrpy's YAML layout, written atomically and readably."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import yaml

from domain.cassettes.cassette import Cassette, from_vcr_data, to_vcr_data
from domain.cassettes.errors import CassetteUnreadable, CassetteUnwritable

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: type[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# YAML folds these into plain newlines inside a block scalar, so such text stays quoted.
_NOT_IN_BLOCKS = frozenset("\r\x85\u2028\u2029\ufeff")


class _ReadableDumper(_BaseDumper):  # type: ignore[misc]
    """Multi-line bodies as ``|`` blocks, so a recorded SSE stream reads as it arrived."""


def _represent_str(dumper: Any, text: str) -> Any:
    if "\n" in text and not _NOT_IN_BLOCKS.intersection(text):
        # YAML falls back to a quoted style when the text cannot be a block (trailing spaces).
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


def _represent_list(dumper: Any, items: list[Any]) -> Any:
    # Chunk lengths on one line: a long column of numbers would bury the bodies.
    flow = bool(items) and all(isinstance(i, int) for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow or None)


_ReadableDumper.add_representer(str, _represent_str)
_ReadableDumper.add_representer(list, _represent_list)


def dump_cassette(cassette: Cassette) -> str:
    text: str = yaml.dump(
        to_vcr_data(cassette),
        Dumper=_ReadableDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
    )
    return text


def parse_cassette(text: str, source: str) -> Cassette:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CassetteUnreadable(source, f"it is not valid YAML{where}") from None
    return from_vcr_data(data, source)


def load_cassette(path: Path) -> Cassette:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CassetteUnreadable(str(path), "no such file") from None
    except IsADirectoryError:
        raise CassetteUnreadable(str(path), "it is a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteUnreadable(str(path), _reason(exc)) from None
    return parse_cassette(text, str(path))


def save_cassette(path: Path, cassette: Cassette) -> None:
    """Write the whole cassette to a temporary file, then rename it over the old one."""
    text = dump_cassette(cassette)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise CassetteUnwritable(str(path), _reason(exc)) from None


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__
