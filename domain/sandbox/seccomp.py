"""The seccomp filter bubblewrap installs in the sandbox: no new Unix sockets, no io_uring.

A Unix socket reaches across network namespaces: a sandboxed command that could connect to
the Docker socket, a tmux server or an ssh agent would act outside the sandbox. So creating
one (``socket(AF_UNIX, ...)``) fails with EPERM, as in Claude Code, unless
``allowAllUnixSockets`` is set. ``io_uring_setup`` fails too (io_uring can create sockets
without the ``socket`` system call), and so does every system call of another architecture
(32-bit ``socketcall`` on x86_64) and the x32 ABI. ``socketpair`` stays allowed: it connects
only the process to itself.

The program is classic BPF over ``struct seccomp_data`` (nr at 0, arch at 4, args from 16),
in the byte form bubblewrap's ``--seccomp FD`` reads.
"""

from __future__ import annotations

import struct

import attrs

from domain.repr_base import Record

_LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET = 0x06  # BPF_RET | BPF_K
RET_ALLOW = 0x7FFF0000
RET_EPERM = 0x00050000 | 1  # SECCOMP_RET_ERRNO | EPERM
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000


@attrs.frozen(repr=False)
class Arch(Record):
    audit_arch: int
    socket_nr: int
    io_uring_setup_nr: int


ARCHES = {
    "x86_64": Arch(0xC000003E, 41, 425),
    "aarch64": Arch(0xC00000B7, 198, 425),
}


class UnsupportedArch(ValueError):
    pass


def no_unix_sockets_program(machine: str) -> bytes:
    arch = ARCHES.get(machine)
    if arch is None:
        raise UnsupportedArch(machine)
    deny, allow = 9, 8
    program = [
        (_LD_ABS, 0, 0, 4),  # 0: arch
        (_JEQ, 0, deny - 2, arch.audit_arch),  # 1: another architecture: deny
        (_LD_ABS, 0, 0, 0),  # 2: system call number
        (_JGE, deny - 4, 0, X32_SYSCALL_BIT),  # 3: the x32 ABI: deny
        (_JEQ, deny - 5, 0, arch.io_uring_setup_nr),  # 4
        (_JEQ, 0, allow - 6, arch.socket_nr),  # 5: not socket(): allow
        (_LD_ABS, 0, 0, 16),  # 6: socket's first argument, the family (low 32 bits)
        (_JEQ, deny - 8, 0, AF_UNIX),  # 7
        (_RET, 0, 0, RET_ALLOW),  # 8
        (_RET, 0, 0, RET_EPERM),  # 9
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
