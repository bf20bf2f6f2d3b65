#!/usr/bin/env python3
"""Cut the blobs the zram ground truth writes to /dev/zram0 out of ELF files, bytes exactly as stored in the file.

Usage: zram-blobs.py OUTDIR SPEC...
  SPEC is NAME=FILE:SECTION           the section's bytes as stored (a .ko's __dyndbg, relocations not applied)
       or NAME=FILE:START:STOP        the bytes from symbol START to symbol STOP (a vmlinux's __start___dyndbg to
                                      __stop___dyndbg: ET_EXEC symbols are addresses, ET_REL ones section offsets)
       or NAME=FILE:START:STOP:v5-sites/SIZE
                                      the v5 site columns of those 6.1 records of SIZE bytes: per record its
                                      { modname, filename, function } pointers (6.1 holds modname, function,
                                      filename first), as stored: struct _ddebug_site of the diet plan, no header
Writes OUTDIR/NAME (unpadded) for each SPEC and prints "NAME <bytes> <file> <what>" per blob. No relocation is
applied and nothing is padded: boot.sh --zram pads to whole 4 KiB pages when it puts them in the initramfs.
Exit 2 with one line on a missing file, section or symbol.
"""
import os
import struct
import sys


def fail(msg):
    sys.exit(f"zram-blobs.py: {msg}")


class Elf:
    def __init__(self, path):
        self.path = path
        self.f = open(path, "rb")
        ident = self.f.read(16)
        if ident[:4] != b"\x7fELF":
            fail(f"{path}: not an ELF file")
        self.is64 = ident[4] == 2
        self.e = "<" if ident[5] == 1 else ">"
        if self.is64:
            hdr = struct.unpack(self.e + "HHIQQQIHHHHHH", self.f.read(48))
            self.type, shoff, shentsize, shnum, shstrndx = hdr[0], hdr[5], hdr[10], hdr[11], hdr[12]
        else:
            hdr = struct.unpack(self.e + "HHIIIIIHHHHHH", self.f.read(36))
            self.type, shoff, shentsize, shnum, shstrndx = hdr[0], hdr[5], hdr[10], hdr[11], hdr[12]
        self.sections = []
        for i in range(shnum):
            self.f.seek(shoff + i * shentsize)
            if self.is64:
                name, typ, flags, addr, off, size, link, info, align, entsize = struct.unpack(self.e + "IIQQQQIIQQ", self.f.read(64))
            else:
                name, typ, flags, addr, off, size, link, info, align, entsize = struct.unpack(self.e + "IIIIIIIIII", self.f.read(40))
            self.sections.append(dict(name=name, type=typ, addr=addr, off=off, size=size, link=link, entsize=entsize))
        strtab = self.read(self.sections[shstrndx]["off"], self.sections[shstrndx]["size"])
        for s in self.sections:
            s["name"] = strtab[s["name"]:strtab.index(b"\0", s["name"])].decode()

    def read(self, off, size):
        self.f.seek(off)
        data = self.f.read(size)
        if len(data) != size:
            fail(f"{self.path}: truncated at offset {off:#x}")
        return data

    def section(self, name):
        for s in self.sections:
            if s["name"] == name:
                return s
        fail(f"{self.path}: no section {name}")

    def symbols(self, wanted):
        found = {}
        for s in self.sections:
            if s["type"] != 2:  # SHT_SYMTAB
                continue
            strtab = self.read(self.sections[s["link"]]["off"], self.sections[s["link"]]["size"])
            data = self.read(s["off"], s["size"])
            size = 24 if self.is64 else 16
            for i in range(0, len(data), size):
                if self.is64:
                    name, info, other, shndx, value, _ = struct.unpack_from(self.e + "IBBHQQ", data, i)
                else:
                    name, value, _, info, other, shndx = struct.unpack_from(self.e + "IIIBBH", data, i)
                end = strtab.index(b"\0", name)
                n = strtab[name:end].decode(errors="replace")
                if n in wanted and n not in found:
                    found[n] = (value, shndx)
        return found


def span(elf, start, stop):
    syms = elf.symbols({start, stop})
    for n in (start, stop):
        if n not in syms:
            fail(f"{elf.path}: no symbol {n}")
    (a, sa), (b, sb) = syms[start], syms[stop]
    if sa != sb or not 0 < sa < len(elf.sections):
        fail(f"{elf.path}: {start} and {stop} are not in one section")
    sec = elf.sections[sa]
    base = sec["addr"] if elf.type in (2, 3) else 0  # ET_EXEC/ET_DYN: addresses; ET_REL: section offsets
    if not (base <= a <= b <= base + sec["size"]):
        fail(f"{elf.path}: {start}..{stop} is not inside {sec['name']}")
    if sec["type"] == 8:  # SHT_NOBITS
        return bytes(b - a), f"{start}..{stop} in {sec['name']} (NOBITS)"
    return elf.read(sec["off"] + a - base, b - a), f"{start}..{stop} in {sec['name']} at file offset {sec['off'] + a - base:#x}"


def main():
    if len(sys.argv) < 3:
        fail("usage: zram-blobs.py OUTDIR NAME=FILE:SECTION|NAME=FILE:START:STOP...")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for spec in sys.argv[2:]:
        name, _, rest = spec.partition("=")
        parts = rest.split(":")
        if not name or "/" in name or len(parts) not in (2, 3, 4):
            fail(f"bad blob spec: {spec}")
        if not os.path.isfile(parts[0]):
            fail(f"{parts[0]}: no such file")
        elf = Elf(parts[0])
        if len(parts) == 2:
            sec = elf.section(parts[1])
            data = bytes(sec["size"]) if sec["type"] == 8 else elf.read(sec["off"], sec["size"])
            what = f"section {parts[1]} at file offset {sec['off']:#x}"
        else:
            data, what = span(elf, parts[1], parts[2])
        if len(parts) == 4:
            kind, _, size = parts[3].partition("/")
            if kind != "v5-sites" or not size.isdigit() or int(size) == 0 or len(data) % int(size):
                fail(f"bad blob spec (or {len(data)} bytes are not whole records): {spec}")
            size, p = int(size), 8 if elf.is64 else 4
            data = b"".join(data[i:i + p] + data[i + 2 * p:i + 3 * p] + data[i + p:i + 2 * p] for i in range(0, len(data), size))
            what += f", v5 site columns of {size}-byte records"
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name} {len(data)} {parts[0]} {what}")


main()
