"""Fixtures of the adapter tests: the tool harness over a temporary workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.tool_harness import Harness


@pytest.fixture
def kit(workspace: Path) -> Iterator[Harness]:
    """The built-in tools over ``workspace``; background jobs are stopped afterwards."""
    harness = Harness(workspace)
    yield harness
    harness.close()
