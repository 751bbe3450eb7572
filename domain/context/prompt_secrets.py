"""Keeping secrets out of the system prompt.

A secret is a value we know (an environment variable whose name says it holds a key, token
or password) or a string shaped like a known kind of key; ``domain.cassettes.redaction`` (the
cassette rules) knows the shapes, and the same rules apply here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.cassettes.chunked_body import rewrite_chunks
from domain.cassettes.redaction import MIN_SCRUBBED_SECRET, secret_spans
from domain.secret_names import looks_secret


def secret_values(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The values of the variables whose names mark them as secrets, longest first."""
    values = {v for k, v in environ.items() if looks_secret(k) and len(v) >= MIN_SCRUBBED_SECRET}
    return tuple(sorted(values, key=len, reverse=True))


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    data = text.encode()
    spans = secret_spans(data, secrets)
    if not spans:
        return text
    return b"".join(rewrite_chunks([data], spans)).decode("utf-8", errors="replace")
