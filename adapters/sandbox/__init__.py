"""Running Bash inside the OS sandbox the domain plans (``domain/sandbox``).

Rules a reader must not break:
- never run a command unsandboxed because the sandbox failed: ``Sandbox.ready`` raises
  ``SandboxUnavailable`` and the Bash tool refuses, unless the user opted out;
- the proxy runs outside the sandbox and is the only way out of its network namespace; it
  decides on the host name the client asked for, and says no with a 403 naming the allowlist;
- everything a session creates (its ``/tmp``, the proxy's sockets) is removed by
  ``Sandbox.close``, after the background jobs are stopped;
- hexclaw's own files in the session's ``/tmp`` are the sandbox's to tamper with: they are
  created exclusively and read without following links.

What lives where:
- ``availability``: is bubblewrap on PATH, and can it create the namespaces here;
- ``path_probe``: the ``PathProbe`` port on the real filesystem;
- ``runner``: ``Sandbox``, which wraps a command line in bubblewrap for one session;
- ``confinement``: what the sandbox means for one Bash call (confined or not, the notes after);
- ``proxy``: the filtering HTTP/SOCKS5 proxy; ``bridge``: the few lines that open the
  loopback port inside the sandbox and hand it to the proxy;
- ``violations``: what in a command's output means the sandbox said no.
"""
