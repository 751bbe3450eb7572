"""The bridge inside the sandbox: it opens the loopback port the proxy variables name and
hands that listening socket out to hexclaw's proxy, then becomes the command.

It runs as ``python -I -S -c BRIDGE_SOURCE FD PORT COMMAND...``: ``FD`` is one end of a
socket pair hexclaw passed in; the listening socket travels over it (``SCM_RIGHTS``), and the
proxy, outside, accepts connections on it directly. So nothing inside needs a Unix socket of
its own (the seccomp filter forbids creating one), no process stays behind to relay bytes,
and the port is ready before the command starts. The socket lives in the sandbox's network
namespace: only processes in this sandbox can connect to it.
"""

from __future__ import annotations

BRIDGE_SOURCE = r"""
import os, socket, sys
fd, port, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(128)
channel = socket.socket(fileno=fd)
socket.send_fds(channel, [b"L"], [listener.fileno()])
channel.close()
listener.close()
os.execvp(command[0], command)
"""
