"""The ``sandbox`` settings block, read with Claude Code's keys into a ``SandboxConfig``.

A value of the wrong type is named in a warning and its default is used; an unknown key is
named too. Defaults are Claude Code's, except ``failIfUnavailable``, which is true: hexclaw
refuses Bash rather than run it unsandboxed when the sandbox was asked for and cannot start.

Trust: a project's settings (which come with a cloned folder) may switch the sandbox on and
narrow it, but its Bash calls are then auto-allowed only if the user's own settings, the
command line or ``/sandbox`` enabled it (``enabled_by_user``); what may widen it (excluded
commands, extra writable or readable paths, allowed domains, sockets, running unsandboxed)
is refused from a project by ``settings_trust``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from domain.repr_base import Record

NETWORK_KEYS = {
    "allowedDomains": "list",
    "deniedDomains": "list",
    "allowUnixSockets": "list",
    "allowAllUnixSockets": "bool",
    "allowLocalBinding": "bool",
    "httpProxyPort": "port",
    "socksProxyPort": "port",
}
FILESYSTEM_KEYS = {
    "allowWrite": "list",
    "denyWrite": "list",
    "allowRead": "list",
    "denyRead": "list",
}
TOP_KEYS = {
    "enabled": "bool",
    "autoAllowBashIfSandboxed": "bool",
    "excludedCommands": "list",
    "allowUnsandboxedCommands": "bool",
    "failIfUnavailable": "bool",
    "network": "object",
    "filesystem": "object",
}
# Claude Code keys with no meaning for hexclaw's sandbox: accepted without a word.
QUIET_KEYS = frozenset({"enableWeakerNestedSandbox", "ignoreViolations", "ripgrep"})


@attrs.frozen(repr=False)
class NetworkConfig(Record):
    allowed_domains: tuple[str, ...] = ()
    denied_domains: tuple[str, ...] = ()
    allow_unix_sockets: tuple[str, ...] = ()
    allow_all_unix_sockets: bool = False
    allow_local_binding: bool = False
    http_proxy_port: int | None = None
    socks_proxy_port: int | None = None


@attrs.frozen(repr=False)
class FilesystemConfig(Record):
    allow_write: tuple[str, ...] = ()
    deny_write: tuple[str, ...] = ()
    allow_read: tuple[str, ...] = ()
    deny_read: tuple[str, ...] = ()


@attrs.frozen(repr=False)
class SandboxConfig(Record):
    enabled: bool = False
    enabled_by_user: bool = False
    auto_allow_bash: bool = True
    excluded_commands: tuple[str, ...] = ()
    allow_unsandboxed_commands: bool = True
    fail_if_unavailable: bool = True
    network: NetworkConfig = attrs.field(factory=NetworkConfig)
    filesystem: FilesystemConfig = attrs.field(factory=FilesystemConfig)

    def switched(self, enabled: bool) -> SandboxConfig:
        """This configuration switched on or off by the user (``--sandbox``, ``/sandbox``)."""
        return attrs.evolve(self, enabled=enabled, enabled_by_user=enabled)

    @property
    def auto_allows(self) -> bool:
        """Whether a sandboxed Bash call runs without asking (deny and ask rules aside)."""
        return self.enabled and self.enabled_by_user and self.auto_allow_bash


@attrs.frozen(repr=False)
class ParsedSandbox(Record):
    config: SandboxConfig
    warnings: tuple[str, ...] = ()


def parse_sandbox(
    block: object, source_of: Callable[[str], str | None], untrusted: Sequence[str] = ()
) -> ParsedSandbox:
    """The merged ``sandbox`` block; ``source_of("enabled")`` names the file a key came from,
    and ``untrusted`` lists the sources that came with the folder (project settings)."""
    warnings: list[str] = []
    if block is None:
        return ParsedSandbox(SandboxConfig())
    if not isinstance(block, dict):
        where = source_of("") or "settings"
        return ParsedSandbox(SandboxConfig(), (f"{where}: sandbox must be an object (ignored)",))
    top = _checked(block, TOP_KEYS, "sandbox", source_of, warnings)
    network = _checked(top.get("network", {}), NETWORK_KEYS, "sandbox.network", source_of, warnings)
    files = _checked(
        top.get("filesystem", {}), FILESYSTEM_KEYS, "sandbox.filesystem", source_of, warnings
    )
    enabled = bool(top.get("enabled", False))
    config = SandboxConfig(
        enabled=enabled,
        enabled_by_user=enabled and source_of("enabled") not in untrusted,
        auto_allow_bash=bool(top.get("autoAllowBashIfSandboxed", True)),
        excluded_commands=tuple(top.get("excludedCommands", ())),
        allow_unsandboxed_commands=bool(top.get("allowUnsandboxedCommands", True)),
        fail_if_unavailable=bool(top.get("failIfUnavailable", True)),
        network=NetworkConfig(
            allowed_domains=tuple(network.get("allowedDomains", ())),
            denied_domains=tuple(network.get("deniedDomains", ())),
            allow_unix_sockets=tuple(network.get("allowUnixSockets", ())),
            allow_all_unix_sockets=bool(network.get("allowAllUnixSockets", False)),
            allow_local_binding=bool(network.get("allowLocalBinding", False)),
            http_proxy_port=network.get("httpProxyPort"),
            socks_proxy_port=network.get("socksProxyPort"),
        ),
        filesystem=FilesystemConfig(
            allow_write=tuple(files.get("allowWrite", ())),
            deny_write=tuple(files.get("denyWrite", ())),
            allow_read=tuple(files.get("allowRead", ())),
            deny_read=tuple(files.get("denyRead", ())),
        ),
    )
    return ParsedSandbox(config, tuple(warnings))


def _checked(
    block: object,
    keys: dict[str, str],
    prefix: str,
    source_of: Callable[[str], str | None],
    warnings: list[str],
) -> dict[str, Any]:
    if not isinstance(block, dict):
        return {}
    good: dict[str, Any] = {}
    for key, value in block.items():
        dotted = f"{prefix}.{key}"
        where = source_of(dotted.removeprefix("sandbox.")) or "settings"
        kind = keys.get(key)
        if kind is None:
            if key not in QUIET_KEYS:
                warnings.append(f"{where}: unknown settings key {dotted!r} (ignored)")
            continue
        if _fits(kind, value):
            good[key] = value
        else:
            warnings.append(f"{where}: {dotted} must be {_EXPECTED[kind]} (ignored)")
    return good


_EXPECTED = {
    "bool": "true or false",
    "list": "a list of strings",
    "object": "an object",
    "port": "a port number (1-65535)",
}


def _fits(kind: str, value: object) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "object":
        return isinstance(value, dict)
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
