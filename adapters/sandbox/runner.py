"""``Sandbox``: one session's bubblewrap wrapper for Bash (foreground and background alike).

A command runs as ``bwrap --seccomp FD [plan] -- /bin/bash -c ...``; with network access
configured, as ``bwrap ... -- python BRIDGE CHANNEL PORT /bin/bash -c ...``: the bridge
opens the loopback port the proxy variables name and hands it out over ``CHANNEL`` to the
proxy (see ``bridge``). The file descriptors a launch passes are closed by ``Launch.close``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Sequence

import attrs

from adapters.sandbox.availability import find_bwrap
from adapters.sandbox.path_probe import FilesystemProbe
from adapters.sandbox.proxy import Adopted, FilteringProxy
from domain.permissions.policy import PermissionRules
from domain.permissions.rules import RuleContext
from domain.sandbox.bwrap_args import bwrap_argv
from domain.sandbox.config import SandboxConfig
from domain.sandbox.errors import SandboxError, SandboxUnavailable
from domain.sandbox.network import DomainPolicy, domain_policy
from domain.sandbox.plan import SANDBOX_TMP, PlanInputs, SandboxPlan, build_plan
from domain.sandbox.ports import PathProbe
from domain.sandbox.routing import Route, route_command
from domain.sandbox.seccomp import UnsupportedArch, no_unix_sockets_program

BRIDGE_PORT = 3128


@attrs.define
class Launch:
    """A wrapped command line and the descriptors it needs open in the child."""

    argv: list[str]
    pass_fds: tuple[int, ...] = ()
    adopted: Adopted | None = None

    def started(self) -> None:
        """Once the child holds its copies: close ours of the child's ends."""
        for fd in self.pass_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.pass_fds = ()

    def close(self) -> None:
        """When the command is over: the proxy stops serving its port."""
        self.started()
        if self.adopted is not None:
            self.adopted.close()


def _visible_python(plan: SandboxPlan) -> str:
    """A Python the sandbox can run for the bridge: hexclaw's own, unless a hidden path
    covers it (a venv under a denyRead home), then the system's."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        real = os.path.realpath(candidate)
        hidden = any(real == p or real.startswith(p.rstrip("/") + "/") for p in plan.hidden)
        if os.access(real, os.X_OK) and not hidden:
            return candidate
    raise SandboxError(
        "the sandbox's network bridge needs a Python it can see, and hexclaw's own is under "
        "a hidden path; add its folder to sandbox.filesystem.allowRead"
    )


class Sandbox:
    def __init__(
        self,
        config: SandboxConfig,
        inputs: PlanInputs,
        search_path: str | None,
        rules: PermissionRules | None = None,
        probe: PathProbe | None = None,
    ) -> None:
        self.config = config
        self.inputs = inputs
        self.rules = rules or PermissionRules()
        """The session's live rules: a deny or WebFetch rule added mid-session counts from
        the next command on."""
        self.search_path = search_path
        self.probe = probe or FilesystemProbe()
        self._bwrap: str | None = None
        self._failure: SandboxUnavailable | None = None
        self._session_tmp: str | None = None
        self._proxy: FilteringProxy | None = None
        self._seccomp: bytes | None = None
        self._bridge_python: str | None = None
        # Protected paths that were missing when a plan was made (no mount could cover them),
        # watched until they appear; each is reported once.
        self._watched: dict[str, None] = {}
        self.ask_domain: Callable[[str], bool] | None = None
        """In the REPL: asks the user about a host the proxy refused (once per host); True
        when the user allowed it, which adds a WebFetch(domain:...) rule for the session."""
        self._asked: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.config.enabled

    @property
    def domains(self) -> DomainPolicy:
        return domain_policy(self.config.network, self.rules.allow)

    def switch(self, enabled: bool) -> None:
        """``--sandbox`` and ``/sandbox``: the user switched it, so it counts as theirs."""
        self.config = self.config.switched(enabled)

    def route(self, command: str, disable_requested: bool) -> Route:
        context = RuleContext(workspace=self.inputs.workspace, home=self.inputs.home)
        return route_command(self.config, command, disable_requested, context)

    def available(self) -> bool:
        try:
            self.ready()
        except SandboxUnavailable:
            return False
        return True

    def ready(self) -> str:
        """The bwrap executable, checked once per session; raises ``SandboxUnavailable``."""
        if self._bwrap is not None:
            return self._bwrap
        if self._failure is not None:
            raise self._failure
        try:
            self._bwrap = find_bwrap(self.search_path)
            self._seccomp = self._seccomp_program()
        except SandboxUnavailable as exc:
            self._failure = exc
            raise
        return self._bwrap

    def _seccomp_program(self) -> bytes | None:
        if self.config.network.allow_all_unix_sockets:
            return None
        try:
            return no_unix_sockets_program(platform.machine())
        except UnsupportedArch:
            raise SandboxUnavailable(
                f"no seccomp filter for this processor ({platform.machine()}) to keep Unix "
                "sockets closed",
                fix='set "sandbox": {"network": {"allowAllUnixSockets": true}} to run without it',
            ) from None

    def session_tmp(self) -> str:
        if self._session_tmp is None:
            self._session_tmp = tempfile.mkdtemp(prefix="hexclaw-sandbox-")
        return self._session_tmp

    def scratch_file(self) -> tuple[str, str]:
        """A new file in the session's /tmp: its path outside, and inside the sandbox."""
        # A new name each time, created exclusively: the folder is the sandbox's /tmp, where
        # a command could have planted a symlink under a name it guessed.
        fd, outside = tempfile.mkstemp(prefix=".hexclaw-cwd-", dir=self.session_tmp())
        os.close(fd)
        return outside, f"{SANDBOX_TMP}/{os.path.basename(outside)}"

    def prepare(self) -> SandboxPlan:
        """Everything a launch needs, checked before anything starts: bubblewrap (raises
        ``SandboxUnavailable``), the plan, and a Python for the bridge (``SandboxError``)."""
        self.ready()
        plan = self.plan()
        self._bridge_python = None
        if self._proxy_wanted():
            self._bridge_python = _visible_python(plan)
        return plan

    def _proxy_wanted(self) -> bool:
        # The proxy runs when something may pass it: an allowed domain, or the user (REPL).
        return self.domains.any_allowed or self.ask_domain is not None

    def plan(self) -> SandboxPlan:
        deny, allow = self.rules.deny, self.rules.allow
        inputs = attrs.evolve(
            self.inputs,
            session_tmp=self.session_tmp(),
            read_deny=(*self.inputs.read_deny, *(r for r in deny if r.covers_tool("Read"))),
            edit_deny=(*self.inputs.edit_deny, *(r for r in deny if r.covers_tool("Edit"))),
            edit_allow=(*self.inputs.edit_allow, *(r for r in allow if r.covers_tool("Edit"))),
        )
        plan = build_plan(inputs, self.probe)
        for path in plan.unprotected:
            self._watched.setdefault(path, None)
        return plan

    def appeared(self) -> list[str]:
        """Watched protected paths that exist now: reported once, then protected by the
        next plan like any other."""
        found = [path for path in self._watched if os.path.lexists(path)]
        for path in found:
            del self._watched[path]
        return found

    def launch(self, command: Sequence[str], cwd: str, plan: SandboxPlan | None = None) -> Launch:
        """``command`` (run in ``cwd``) wrapped to run inside the sandbox."""
        bwrap = self.ready()
        plan = plan or self.plan()
        env = {"TMPDIR": SANDBOX_TMP, "HEXCLAW_SANDBOX": "1"}
        inner = list(command)
        fds: list[int] = []
        adopted: Adopted | None = None
        if self._proxy_wanted():
            from adapters.sandbox.bridge import BRIDGE_SOURCE

            # Chosen before any descriptor is opened: this can refuse.
            python = self._bridge_python or _visible_python(plan)
            port = self.config.network.http_proxy_port or BRIDGE_PORT
            socks_port = self.config.network.socks_proxy_port or port
            url = f"http://127.0.0.1:{port}"
            for name in ("HTTP_PROXY", "HTTPS_PROXY"):
                env[name] = env[name.lower()] = url
            # Every port speaks both HTTP and SOCKS5 (told apart by the first byte); socks5h
            # sends the host name, so the allowlist is checked on the name, as for HTTP.
            env["ALL_PROXY"] = env["all_proxy"] = f"socks5h://127.0.0.1:{socks_port}"
            ports = ",".join(str(p) for p in dict.fromkeys((port, socks_port)))
            env["NO_PROXY"] = env["no_proxy"] = ""
            ours, theirs = socket.socketpair()
            adopted = self._proxy_server().adopt(ours)
            fds.append(theirs.detach())
            bridge = [python, "-I", "-S", "-c", BRIDGE_SOURCE, str(fds[-1]), ports]
            inner = [*bridge, *inner]
        seccomp_fd: int | None = None
        if self._seccomp is not None:
            # 80 bytes: a pipe holds them without a reader, and bubblewrap reads to the end.
            seccomp_fd, write = os.pipe()
            os.write(write, self._seccomp)
            os.close(write)
            fds.append(seccomp_fd)
        argv = bwrap_argv(bwrap, plan, cwd, inner, env, seccomp_fd)
        return Launch(argv, tuple(fds), adopted)

    def _proxy_server(self) -> FilteringProxy:
        if self._proxy is None:
            self._proxy = FilteringProxy(lambda: self.domains)
        return self._proxy

    def take_blocked(self) -> list[str]:
        """Hosts the proxy refused since the last call, for the tool result."""
        return self._proxy.take_blocked() if self._proxy is not None else []

    def ask_about(self, hosts: Sequence[str]) -> list[str]:
        """The refused hosts the user now allows (each host is asked about once a session)."""
        if self.ask_domain is None:
            return []
        allowed: list[str] = []
        for host in hosts:
            if host in self._asked:
                continue
            self._asked.add(host)
            if self.ask_domain(host):
                allowed.append(host)
        return allowed

    def close(self) -> None:
        """Stop the proxy and remove the session's /tmp (after the background jobs)."""
        if self._proxy is not None:
            self._proxy.stop()
        if self._session_tmp is not None:
            shutil.rmtree(self._session_tmp, ignore_errors=True)
        self._session_tmp = None
