"""A seccomp filter that lets a sandboxed interpreter start threads but never another process.

The harness's audit hook refuses new processes with a clear message, but an audit hook lives in the
process it guards: `_posixsubprocess.fork_exec` is not audited in Python 3.11, and a second
interpreter started that way would run without the hook. This filter makes the rule the kernel's:
fork, vfork and clone without CLONE_THREAD fail with EPERM; clone3 fails with ENOSYS (glibc then
creates threads with clone, which the filter can inspect). bubblewrap installs it (`--seccomp FD`)
right before it executes the interpreter.

Hand-assembled classic BPF, as the kernel reads it (struct sock_filter: u16 code, u8 jt, u8 jf,
u32 k), for x86_64 and aarch64; on other machines no filter is installed (the rest still applies).
"""

from __future__ import annotations

import errno
import platform
import struct

_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_KILL_PROCESS = 0x80000000
_CLONE_THREAD = 0x00010000
_X32_BIT = 0x40000000

_ARCHES = {
    # machine: (AUDIT_ARCH_*, {syscall: errno}, clone number)
    "x86_64": (0xC000003E, {57: errno.EPERM, 58: errno.EPERM, 435: errno.ENOSYS}, 56),
    "aarch64": (0xC00000B7, {435: errno.ENOSYS}, 220),
}


def no_new_processes_filter(machine: str | None = None) -> bytes | None:
    """The compiled filter for this machine (or `machine`), or None where we have no syscall table."""
    table = _ARCHES.get(machine or platform.machine())
    if table is None:
        return None
    arch, refused, clone = table
    program: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, _KILL_PROCESS),  # a foreign ABI (32-bit int 0x80) is not allowed at all
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (_JGE_K, 0, 1, _X32_BIT),
        (_RET_K, 0, 0, _ERRNO | errno.EPERM),  # the x32 ABI on x86_64
    ]
    for number, error in refused.items():
        program += [(_JEQ_K, 0, 1, number), (_RET_K, 0, 0, _ERRNO | error)]
    program += [
        (_JEQ_K, 0, 3, clone),
        (_LD_W_ABS, 0, 0, 16),  # args[0], low 32 bits (little endian): the clone flags
        (_JSET_K, 1, 0, _CLONE_THREAD),
        (_RET_K, 0, 0, _ERRNO | errno.EPERM),
        (_RET_K, 0, 0, _ALLOW),
    ]
    return b"".join(struct.pack("<HBBI", *instruction) for instruction in program)
