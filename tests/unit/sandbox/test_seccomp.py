"""The no-new-processes filter: well-formed BPF for the machines we know, nothing for the others."""

from __future__ import annotations

import struct

from mwo.sandbox.seccomp import no_new_processes_filter


def _instructions(program: bytes) -> list[tuple[int, int, int, int]]:
    return [struct.unpack("<HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]


def test_x86_64_checks_the_arch_and_refuses_fork_vfork_and_process_clones() -> None:
    program = no_new_processes_filter("x86_64")
    assert program is not None and len(program) % 8 == 0
    code = _instructions(program)
    assert code[0] == (0x20, 0, 0, 4) and code[1][3] == 0xC000003E  # load arch, compare with x86_64
    compared = {k for op, _, _, k in code if op == 0x15}
    assert {57, 58, 435, 56} <= compared  # fork, vfork, clone3, clone
    assert (0x45, 1, 0, 0x00010000) in code  # clone is let through only with CLONE_THREAD
    assert code[-1] == (0x06, 0, 0, 0x7FFF0000)  # the rest is allowed
    for _op, jt, jf, _k in code:  # every jump lands inside the program
        assert jt < len(code) and jf < len(code)


def test_unknown_machines_get_no_filter() -> None:
    assert no_new_processes_filter("riscv64") is None
    assert no_new_processes_filter("aarch64") is not None
