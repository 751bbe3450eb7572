"""The Messages API over httpx: streaming, retries, typed errors.

Rules a reader must not break:
- Never retry after an update reached the user; honour ``retry-after``; a TLS failure is final.

What lives where: ``client``.
"""
