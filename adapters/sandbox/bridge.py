"""The bridge inside the sandbox: it opens the loopback port the proxy variables name and
hands that listening socket out to hexclaw's proxy, then becomes the command.

It runs as ``python -I -S -c BRIDGE_SOURCE FD PORT[,PORT] COMMAND...``: ``FD`` is one end of
a socket pair hexclaw passed in; the listening sockets travel over it (``SCM_RIGHTS``), and the
proxy, outside, accepts connections on them directly. So nothing inside needs a Unix socket of
its own (the seccomp filter forbids creating one), no process stays behind to relay bytes,
and the port is ready before the command starts. The socket lives in the sandbox's network
namespace: only processes in this sandbox can connect to it.
"""

from __future__ import annotations

BRIDGE_SOURCE = r"""
import os, socket, sys
fd, ports, command = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3:]
listeners = []
for port in ports:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(port)))
    listener.listen(128)
    listeners.append(listener)
channel = socket.socket(fileno=fd)
socket.send_fds(channel, [b"L"], [listener.fileno() for listener in listeners])
channel.close()
for listener in listeners:
    listener.close()
os.execvp(command[0], command)
"""
