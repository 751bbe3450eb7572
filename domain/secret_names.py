"""Which names mark a value as secret: an environment variable or a settings key whose name says
it holds a key, token or password. Settings, the system prompt and cassettes share this rule."""

from __future__ import annotations

import re

SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


def looks_secret(name: str) -> bool:
    return SECRET_NAME.search(name) is not None
