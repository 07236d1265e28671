#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Writes the hand-made seed inputs of fuzz-xpf into fuzz-xpf/ next to this
# script (the input format is described at the top of tests/fuzz/fuzz-xpf.c).
# Fixture numbers index the non-bridge fixtures of tests/fixtures/pci in
# name order: 0 e1000, 1 e1000e, 3 edu, 10 ich9-ahci, 13 nvme,
# 18 virtio-net-pci.  Anchors (A) index the fixture's structures: 0 the
# header, then its capability list entries, then its extended chain.
import os
import struct

WRITE, READ, POLICY, QUIRK_ADD, QUIRK_REMOVE, WRITE_BACK = 0, 3, 5, 6, 7, 8
PERMISSIVE, INTR, EXT_RO, LATCH = 1, 2, 4, 8
SIZE = {1: 0x80, 2: 0x81, 4: 0x82, 8: 0x83}


def step(kind, size, off, val=0):
    return struct.pack('<BBHI', kind, SIZE[size], off, val & 0xffffffff)


def at(anchor, rel):
    """An offset relative to structure number @anchor of the fixture."""
    return 0x8000 | anchor << 8 | rel


def seed(fixture, flags, steps):
    return bytes([fixture, flags]) + b''.join(steps)


SEEDS = {
    # A driver's enumeration: header, capability list, extended chain.
    'enumerate-e1000e': seed(1, 0, [step(READ, 4, o) for o in
                                    range(0, 0x40, 4)] +
                             [step(READ, 4, at(a, r)) for a in range(1, 7)
                              for r in (0, 4, 8)]),
    # BAR and ROM sizing, then the addresses put back.
    'bar-sizing-nvme': seed(13, 0, [
        step(WRITE, 2, 0x04, 0x0000),
        step(WRITE, 4, 0x10, 0xffffffff), step(READ, 4, 0x10),
        step(WRITE, 4, 0x14, 0xffffffff), step(READ, 4, 0x14),
        step(WRITE, 4, 0x10, 0xfe000000), step(WRITE, 4, 0x14, 0),
        step(WRITE, 4, 0x30, 0xfffff800), step(READ, 4, 0x30),
        step(WRITE, 2, 0x04, 0x0006)]),
    # MSI set up by a guest with allow_interrupt_control (edu: MSI at A1).
    'msi-edu': seed(3, INTR, [
        step(WRITE, 4, at(1, 4), 0xfee00000), step(WRITE, 4, at(1, 8), 0),
        step(WRITE, 2, at(1, 0xc), 0x0041),
        step(WRITE, 2, at(1, 2), 0x0071),
        step(WRITE, 2, 0x04, 0x0407), step(WRITE, 2, 0x04, 0x0007),
        step(READ, 4, at(1, 0xc)), step(WRITE, 2, at(1, 2), 0x0000),
        step(WRITE, 2, 0x04, 0x0007)]),
    # MSI-X enabled masked, unmasked; MSI refused meanwhile (e1000e: A4).
    'msix-e1000e': seed(1, INTR, [
        step(WRITE, 2, 0x04, 0x0406), step(WRITE, 2, at(4, 2), 0xc000),
        step(WRITE, 1, at(4, 3), 0x80), step(WRITE, 2, at(2, 2), 0x0001),
        step(WRITE, 2, at(4, 2), 0x0000), step(POLICY, 1, 0, PERMISSIVE),
        step(WRITE, 2, at(2, 2), 0x0001), step(WRITE, 2, at(4, 2), 0x8000)]),
    # Permissive: every dword of the capability area written, then read.
    'permissive-caps-ich9-ahci': seed(10, PERMISSIVE | INTR | EXT_RO,
                                      [step(WRITE, 4, o, 0xffffffff)
                                       for o in range(0x40, 0x100, 4)] +
                                      [step(READ, 4, o)
                                       for o in range(0x40, 0x100, 4)]),
    # Quirks with unlisted bytes between them, written across.
    'quirks-e1000': seed(0, 0, [
        step(QUIRK_ADD, 1, 0x40, 0xff), step(QUIRK_ADD, 1, 0x43, 0x0f),
        step(QUIRK_ADD, 2, 0x46, 0x0000), step(WRITE, 4, 0x40, 0xffffffff),
        step(WRITE, 4, 0x44, 0xffffffff), step(READ, 4, 0x40),
        step(QUIRK_REMOVE, 1, 0x43), step(WRITE, 4, 0x40, 0),
        step(POLICY, 1, 0, PERMISSIVE), step(WRITE, 4, 0x44, 0x12345678)]),
    # Status registers latched, read and written back (e1000e: PM A1,
    # PCIe A3, AER A5).
    'writeback-e1000e': seed(1, LATCH, [
        step(WRITE_BACK, 2, 0x06), step(WRITE_BACK, 4, 0x04),
        step(WRITE_BACK, 2, at(1, 4)), step(WRITE_BACK, 4, at(3, 8)),
        step(WRITE_BACK, 4, at(5, 4)), step(WRITE_BACK, 4, at(5, 0x10)),
        step(WRITE, 2, 0x06, 0x0100), step(WRITE_BACK, 1, 0x0f)]),
    # Policies changed at run time around interrupt control writes.
    'policy-virtio-net-pci': seed(18, 0, [
        step(WRITE, 2, at(1, 2), 0x8000), step(POLICY, 1, 0, INTR),
        step(WRITE, 2, at(1, 2), 0x8000), step(WRITE, 2, 0x04, 0x0403),
        step(POLICY, 1, 0, 0), step(WRITE, 2, 0x04, 0x0003),
        step(WRITE, 2, at(1, 2), 0x0000), step(READ, 2, at(1, 2))]),
}

if __name__ == '__main__':
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'fuzz-xpf')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
