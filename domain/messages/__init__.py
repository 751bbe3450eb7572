"""The Messages API's content model, its wire form, requests and their errors.

Rules a reader must not break:
- Unknown content blocks are kept as they came and sent back unchanged.
- This is the bottom area: it imports no other area.

What lives where: ``content`` (attrs classes), ``wire`` (cattrs conversion), ``request``,
``api_errors``, ``retry_policy`` (backoff with full jitter from an injected random source).
"""
