"""SOCKS5 for the sandbox's proxy (RFC 1928, CONNECT only, no authentication): reading the
greeting and the request, and the replies. The host is checked against the same
``DomainPolicy`` as HTTP; a name (``socks5h``) is checked as given, an address as its text.
"""

from __future__ import annotations

import ipaddress

VERSION = 5
NO_AUTH = 0
NO_ACCEPTABLE = 0xFF
CONNECT = 1
ATYP_IPV4, ATYP_DOMAIN, ATYP_IPV6 = 1, 3, 4
SUCCEEDED, GENERAL_FAILURE, NOT_ALLOWED, HOST_UNREACHABLE = 0, 1, 2, 4
COMMAND_NOT_SUPPORTED, ADDRESS_NOT_SUPPORTED = 7, 8


class BadSocksRequest(ValueError):
    def __init__(self, reply_code: int, why: str) -> None:
        super().__init__(why)
        self.reply_code = reply_code


def greeting_length(prefix: bytes) -> int | None:
    """How long the greeting is, once its first two bytes are known."""
    return None if len(prefix) < 2 else 2 + prefix[1]


def accepts_no_auth(greeting: bytes) -> bool:
    return greeting[:1] == bytes([VERSION]) and NO_AUTH in greeting[2:]


def method_reply(ok: bool) -> bytes:
    return bytes([VERSION, NO_AUTH if ok else NO_ACCEPTABLE])


def request_length(prefix: bytes) -> int | None:
    """How long the request is, once enough of it is known (5 bytes at most)."""
    if len(prefix) < 5:
        return None
    atyp = prefix[3]
    if atyp == ATYP_IPV4:
        return 10
    if atyp == ATYP_IPV6:
        return 22
    if atyp == ATYP_DOMAIN:
        return 7 + prefix[4]
    raise BadSocksRequest(ADDRESS_NOT_SUPPORTED, f"address type {atyp} is not supported")


def parse_request(request: bytes) -> tuple[str, int]:
    if request[0] != VERSION:
        raise BadSocksRequest(GENERAL_FAILURE, "not SOCKS version 5")
    if request[1] != CONNECT:
        raise BadSocksRequest(COMMAND_NOT_SUPPORTED, "only CONNECT is supported")
    atyp = request[3]
    if atyp == ATYP_IPV4:
        host = str(ipaddress.IPv4Address(request[4:8]))
    elif atyp == ATYP_IPV6:
        host = str(ipaddress.IPv6Address(request[4:20]))
    else:
        raw = request[5 : 5 + request[4]]
        if not raw.isascii():
            raise BadSocksRequest(NOT_ALLOWED, "the host name must be plain ASCII")
        host = raw.decode("ascii")
    port = int.from_bytes(request[-2:], "big")
    if not host or port == 0:
        raise BadSocksRequest(GENERAL_FAILURE, "no host or port")
    return host, port


def reply(code: int) -> bytes:
    """A reply with an empty bound address (clients do not use it for CONNECT)."""
    return bytes([VERSION, code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0])
