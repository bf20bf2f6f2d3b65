#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Verify the DynDbg.ElfSim sample objects and print the README table.

usage: verify.py [OBJS_DIR] [--detail]

Two independent readings of every object that has a __dyndbg (or legacy __verbose) section:
  1. llvm-readelf -h -S -r (GNU style): section size/type/flags/alignment, and the
     relocation section of __dyndbg: per record exactly 4 relocations, all of the
     arch's absolute pointer type, at record offsets 0, p, 2p, 3p (p = pointer size).
  2. A small ELF reader (stdlib only): record size from the st_size of the
     __UNIQUE_ID_ddebug* symbols, then every record decoded (pointers resolved through
     the relocations, REL implicit addends included; bitfields per the file's
     endianness) and compared field by field with the sources in samples/src.
Exit status 0 when everything matches, 1 otherwise.
"""
import os
import re
import struct
import subprocess
import sys

READELF = os.environ.get("READELF", "llvm-readelf-14")
SRC = os.path.dirname(os.path.abspath(__file__))

ARCH_ORDER = ["x86_64", "i386", "aarch64", "armhf", "s390x", "ppc64le", "mips64el", "riscv64"]
# arch -> (e_machine, absolute-pointer relocation type number, its readelf name)
ABS = {
    "x86_64": (62, 1, "R_X86_64_64"),
    "i386": (3, 1, "R_386_32"),
    "aarch64": (183, 257, "R_AARCH64_ABS64"),
    "armhf": (40, 2, "R_ARM_ABS32"),
    "s390x": (22, 22, "R_390_64"),
    "ppc64le": (21, 38, "R_PPC64_ADDR64"),
    "mips64el": (8, 18, "R_MIPS_64/R_MIPS_NONE/R_MIPS_NONE"),
    "riscv64": (243, 2, "R_RISCV_64"),
}
MODULES = {
    "alpha": ["alpha_main", "alpha_util"],
    "beta": ["beta_core", "beta_proto"],
    "gamma": ["gamma"],
    "delta": ["delta"],
}
JL_OFF = {"gamma"}          # files built without CONFIG_JUMP_LABEL
DEBUG_FILES = {"delta", "legacy"}
VMLINUX_FILES = ["alpha_main", "alpha_util", "beta_core", "beta_proto", "delta"]

failures = []


def fail(where, msg):
    failures.append(f"{where}: {msg}")


# ----------------------------------------------------------------------------- sources
def c_unescape(body):
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "a": "\a",
              "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            out.append(simple[body[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def expected_sites(fname):
    """lineno -> (function, format, class_id) for every pr_debug*/pr_debug_cls call."""
    text = open(os.path.join(SRC, fname + ".c"), encoding="utf-8").read()
    lines = text.split("\n")
    # logical line numbers (honour '#line N')
    logical, cur = [], 1
    for ln in lines:
        logical.append(cur)
        m = re.match(r"\s*#\s*line\s+(\d+)", ln)
        cur = int(m.group(1)) if m else cur + 1
    classes = {}
    for m in re.finditer(r"^\s*(\w+),\s*/\*\s*(\d+)\s*\*/", text, re.M):
        classes[m.group(1)] = int(m.group(2))
    sites, func = {}, None
    offs = [0]
    for ln in lines:
        offs.append(offs[-1] + len(ln) + 1)
    for idx, ln in enumerate(lines):
        fm = re.match(r"^[a-z][\w ]*?\**\s*(\w+)\(", ln)
        if fm and not ln.rstrip().endswith(";"):
            func = fm.group(1)
        cm = re.search(r"\bpr_debug(_cls)?\(", ln)
        if not cm or ln.lstrip().startswith(("#", "*", "/*")):
            continue
        rest = text[offs[idx] + cm.end():]
        cls = 63
        if cm.group(1):
            name, rest = rest.split(",", 1)
            cls = classes[name.strip()]
        lits = []
        pos = 0
        while True:
            mm = re.compile(r'\s*"((?:[^"\\]|\\.)*)"').match(rest, pos)
            if not mm:
                break
            lits.append(mm.group(1))
            pos = mm.end()
        # clang (like gcc) gives __LINE__ of a multi-line macro call the line of its ')'
        i, depth, start = offs[idx] + cm.end(), 1, offs[idx] + cm.end()
        while depth:
            ch = text[i]
            if ch == '"':
                i += 1
                while text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
            elif ch in "()":
                depth += 1 if ch == "(" else -1
            i += 1
        close_line = idx + text.count("\n", start, i)
        sites[logical[close_line]] = (func, c_unescape("".join(lits)), cls)
    return sites


# ----------------------------------------------------------------------------- ELF
class Elf:
    def __init__(self, path):
        self.path = path
        d = self.data = open(path, "rb").read()
        assert d[:4] == b"\x7fELF", path
        self.is64 = d[4] == 2
        self.end = "<" if d[5] == 1 else ">"
        e = self.end
        if self.is64:
            (self.type, self.machine, _, _, _, shoff, self.flags, _, _, _, shentsize, shnum,
             shstrndx) = struct.unpack_from(e + "HHIQQQIHHHHHH", d, 16)
        else:
            (self.type, self.machine, _, _, _, shoff, self.flags, _, _, _, shentsize, shnum,
             shstrndx) = struct.unpack_from(e + "HHIIIIIHHHHHH", d, 16)
        self.ptr = 8 if self.is64 else 4
        self.sections = []
        for i in range(shnum):
            o = shoff + i * shentsize
            if self.is64:
                f = struct.unpack_from(e + "IIQQQQIIQQ", d, o)
            else:
                f = struct.unpack_from(e + "IIIIIIIIII", d, o)
            self.sections.append(dict(zip(
                ["name", "type", "flags", "addr", "offset", "size", "link", "info", "align",
                 "entsize"], f)))
        shstr = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self.cstr(shstr["offset"] + s["name"])
        self.symbols = []
        for s in self.sections:
            if s["type"] == 2:  # SHT_SYMTAB
                strtab = self.sections[s["link"]]
                n = s["size"] // s["entsize"]
                for i in range(n):
                    o = s["offset"] + i * s["entsize"]
                    if self.is64:
                        name, info, other, shndx, value, size = struct.unpack_from(
                            e + "IBBHQQ", d, o)
                    else:
                        name, value, size, info, other, shndx = struct.unpack_from(
                            e + "IIIBBH", d, o)
                    self.symbols.append(dict(name=self.cstr(strtab["offset"] + name),
                                             value=value, size=size, type=info & 15,
                                             bind=info >> 4, shndx=shndx))

    def cstr(self, off):
        end = self.data.index(b"\0", off)
        return self.data[off:end].decode("utf-8")

    def section(self, name):
        for i, s in enumerate(self.sections):
            if s["name"] == name:
                return i, s
        return None, None

    def relocs_for(self, index):
        """(offset, type, type2, type3, symbol, addend or None, rel section name)"""
        out, e = [], self.end
        for s in self.sections:
            if s["type"] not in (4, 9) or s["info"] != index:  # SHT_RELA, SHT_REL
                continue
            rela = s["type"] == 4
            n = s["size"] // s["entsize"]
            for i in range(n):
                o = s["offset"] + i * s["entsize"]
                if self.is64:
                    off, info = struct.unpack_from(e + "QQ", self.data, o)
                    add = struct.unpack_from(e + "q", self.data, o + 16)[0] if rela else None
                    if self.machine == 8 and e == "<":  # MIPS64 little-endian r_info
                        sym, t3, t2, t = info & 0xffffffff, (info >> 40) & 0xff, \
                            (info >> 48) & 0xff, (info >> 56) & 0xff
                    else:
                        sym, t, t2, t3 = info >> 32, info & 0xffffffff, 0, 0
                else:
                    off, info = struct.unpack_from(e + "II", self.data, o)
                    add = struct.unpack_from(e + "i", self.data, o + 8)[0] if rela else None
                    sym, t, t2, t3 = info >> 8, info & 0xff, 0, 0
                out.append((off, t, t2, t3, self.symbols[sym], add, s["name"]))
        return out

    def word(self, off, size):
        fmt = {4: "I", 8: "Q"}[size]
        return struct.unpack_from(self.end + fmt, self.data, off)[0]


def resolve_string(elf, rel, place_off):
    """String a pointer field points to, through its relocation."""
    _, _, _, _, sym, add, _ = rel
    if add is None:  # REL: implicit addend in place
        add = elf.word(place_off, elf.ptr)
    if sym["shndx"] == 0 or sym["shndx"] >= 0xff00:
        return None, sym
    sec = elf.sections[sym["shndx"]]
    return elf.cstr(sec["offset"] + sym["value"] + add), sym


# ----------------------------------------------------------------------------- readelf
def readelf_view(path, secname):
    out = subprocess.run([READELF, "-h", "-S", "-r", "--wide", path], check=True,
                         capture_output=True, text=True).stdout
    view = {"relsec": None, "rels": []}
    for ln in out.splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+"
                     r"([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)", ln)
        if m and m.group(2) == secname:
            view.update(type=m.group(3), size=int(m.group(6), 16), es=int(m.group(7), 16),
                        flg=m.group(8), align=int(m.group(11)))
    block = None
    for ln in out.splitlines():
        m = re.match(r"Relocation section '([^']+)'", ln)
        if m:
            block = m.group(1)
            if block in (".rel" + secname, ".rela" + secname):
                view["relsec"] = block
            continue
        if block and block == view["relsec"]:
            f = ln.split()
            if len(f) >= 3 and re.fullmatch(r"[0-9a-f]+", f[0]):
                view["rels"].append((int(f[0], 16), f[2]))
    return view


# ----------------------------------------------------------------------------- checks
def bitfields(elf, w, legacy):
    if elf.end == "<":
        lineno, rest = w & 0x3ffff, w >> 18
        if legacy:
            return lineno, None, rest & 0xff
        return lineno, rest & 0x3f, (rest >> 6) & 0xff
    # big endian: bit-fields are allocated from the most significant bit
    lineno = w >> 14
    if legacy:
        return lineno, None, (w >> 6) & 0xff
    return lineno, (w >> 8) & 0x3f, w & 0xff


def check_object(arch, rel, files, legacy=None):
    """Check one object; return a summary dict."""
    path = os.path.join(OBJS, rel)
    where = f"{arch}/{rel.split('/', 1)[1]}"
    elf = Elf(path)
    machine, abs_type, abs_name = ABS[arch]
    if elf.machine != machine:
        fail(where, f"e_machine {elf.machine}, expected {machine}")
    secname = "__verbose" if legacy == "pre59" else "__dyndbg"
    idx, sec = elf.section(secname)
    if sec is None:
        fail(where, f"no {secname} section")
        return None
    p = elf.ptr
    # --- reading 1: llvm-readelf
    v = readelf_view(path, secname)
    if (v.get("type"), v.get("flg"), v.get("align"), v.get("es")) != ("PROGBITS", "WA", 8, 0):
        fail(where, f"{secname} is {v.get('type')} flags {v.get('flg')} align {v.get('align')} "
                    f"entsize {v.get('es')}, expected PROGBITS WA 8 0")
    syms = [s for s in elf.symbols if s["shndx"] == idx and "__UNIQUE_ID_ddebug" in s["name"]]
    sizes = sorted({s["size"] for s in syms})
    if len(sizes) != 1:
        fail(where, f"record symbols have sizes {sizes}")
        return None
    size = sizes[0]
    count = v["size"] // size
    if v["size"] % size:
        fail(where, f"sh_size {v['size']} is not a multiple of {size}")
    if count != len(syms):
        fail(where, f"{count} records by size but {len(syms)} record symbols")
    want = [(r * size + k * p, abs_name) for r in range(count) for k in range(4)]
    if sorted(v["rels"]) != want:
        other = sorted({t for _, t in v["rels"]} - {abs_name})
        fail(where, f"{v['relsec']}: {len(v['rels'])} relocations, types {other or abs_name}; "
                    f"expected exactly 4 x {abs_name} per record at +0,+{p},+{2*p},+{3*p}")
    # --- reading 2: decode and compare with the sources
    rels = {r[0]: r for r in elf.relocs_for(idx)}
    expected = {}
    for f in files:
        for ln, site in expected_sites(f).items():
            expected[(f + ".c", ln)] = site
    jl = not any(f in JL_OFF for f in files)
    want_size = (56 if jl else 40) if p == 8 else (32 if jl else 24)
    if size != want_size:
        fail(where, f"record size {size}, expected {want_size}")
    seen, func_secs, tgt_kinds, inplace = set(), set(), set(), set()
    for r in range(count):
        base = sec["offset"] + r * size
        strs = []
        for k in range(4):
            rr = rels.get(r * size + k * p)
            if rr is None:
                strs.append(None)
                continue
            if (rr[1], rr[2], rr[3]) != (abs_type, 0, 0):
                fail(where, f"record {r} field {k}: relocation type {rr[1:4]}")
            s, sym = resolve_string(elf, rr, base + k * p)
            strs.append(s)
            tgt_kinds.add("section" if sym["type"] == 3 else
                          f"{'local' if sym['bind'] == 0 else 'global'} symbol")
            if k == 1:
                func_secs.add(elf.sections[sym["shndx"]]["name"])
            inplace.add(elf.word(base + k * p, p))
        modname, function, filename, fmt = strs
        lineno, cls, flags = bitfields(elf, elf.word(base + 4 * p, 4), legacy)
        key = None
        if jl:  # struct static_key { atomic_t enabled; union { unsigned long type; ... } }
            koff = base + 4 * p + (8 if p == 8 else 4)
            key = (struct.unpack_from(elf.end + "i", elf.data, koff)[0], elf.word(koff + p, p))
        exp = expected.get((filename, lineno))
        if exp is None:
            fail(where, f"record {r}: {filename}:{lineno} is not a pr_debug call site")
            continue
        seen.add((filename, lineno))
        stem = filename[:-2]
        mod = "legacy" if legacy else next(m for m, fs in MODULES.items() if stem in fs)
        debug = stem in DEBUG_FILES
        want_rec = (mod, exp[0], exp[1], None if legacy else exp[2], 1 if debug else 0)
        got_rec = (modname, function, fmt, cls, flags)
        if got_rec != want_rec:
            fail(where, f"record {r} ({filename}:{lineno}): got {got_rec!r}, want {want_rec!r}")
        if jl and key != ((1, 1) if debug else (0, 0)):
            fail(where, f"record {r}: key {key}")
        # padding: 64-bit [36,40) and, with the key, [44,48); 32-bit: the aligned(8) tail
        pads = ([(36, 40)] + ([(44, 48)] if jl else [])) if p == 8 else \
            [(28, 32)] if jl else [(20, 24)]
        for lo, hi in pads:
            if elf.data[base + lo: base + hi].strip(b"\0"):
                fail(where, f"record {r}: padding [{lo},{hi}) not zero")
    missing = set(expected) - seen
    if missing:
        fail(where, f"call sites without a record: {sorted(missing)}")
    rela = (v["relsec"] or "").startswith(".rela")
    if rela and inplace != {0}:
        fail(where, "RELA object with non-zero bytes under the pointer relocations")
    linenos = [bitfields(elf, elf.word(sec["offset"] + r * size + 4 * p, 4), legacy)[0]
               for r in range(count)]
    # class maps
    cidx, csec = elf.section("__dyndbg_classes")
    classes = None
    if csec is not None:
        csize = 56 if p == 8 else 32
        crels = elf.relocs_for(cidx)
        if csec["size"] != csize:
            fail(where, f"__dyndbg_classes size {csec['size']}, expected {csize}")
        length, cbase, ctype = struct.unpack_from(elf.end + "iii", elf.data,
                                                  csec["offset"] + 5 * p)
        offs = sorted(r[0] for r in crels)
        classes = f"1 map, length {length}, relocs at {','.join(str(o) for o in offs)}"
        if (length, cbase, ctype) != (3, 0, 0):
            fail(where, f"class map length/base/type {(length, cbase, ctype)}")
    return dict(size=size, count=count, relsec=v["relsec"], reltype=abs_name, rela=rela,
                func_secs=sorted(func_secs), tgt=sorted(tgt_kinds), elf=elf,
                inplace_nonzero=any(inplace), classes=classes, linenos=linenos,
                sh_size=v["size"])


def main():
    global OBJS
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    detail = "--detail" in sys.argv
    OBJS = os.path.abspath(args[0] if args else os.path.join(SRC, "..", "objs"))
    rows, notes = [], []
    for arch in ARCH_ORDER:
        res = {}
        for m, files in MODULES.items():
            for f in files:
                res[f + ".o"] = check_object(arch, f"{arch}/{f}.o", [f])
            res[m + ".ko"] = check_object(arch, f"{arch}/{m}.ko", files)
        if os.path.exists(os.path.join(OBJS, arch, "vmlinux.o")):
            res["vmlinux.o"] = check_object(arch, f"{arch}/vmlinux.o", VMLINUX_FILES)
        if os.path.exists(os.path.join(OBJS, arch, "legacy")):
            res["legacy/pre59.o"] = check_object(arch, f"{arch}/legacy/pre59.o", ["legacy"],
                                                 "pre59")
            res["legacy/v59.o"] = check_object(arch, f"{arch}/legacy/v59.o", ["legacy"], "v59")
        a = res["alpha.ko"]
        g = res["gamma.ko"]
        if not a or not g:
            continue
        e = a["elf"]
        counts = " / ".join(str(res[m + ".ko"]["count"]) for m in MODULES)
        vm = res.get("vmlinux.o")
        rows.append(
            f"| {arch} | ELF{64 if e.is64 else 32} | {'LE' if e.end == '<' else 'BE'} "
            f"| {e.machine} | {'RELA' if a['rela'] else 'REL'} (`{a['relsec']}`) "
            f"| {a['size']} / {g['size']} | {counts} | {vm['count'] if vm else '-'} "
            f"| `{a['reltype']}` | {', '.join(a['func_secs'])} |")
        if detail:
            for name, r in res.items():
                if r:
                    notes.append(f"{arch}/{name}: {r['count']} x {r['size']} = {r['sh_size']} "
                                 f"bytes, {r['relsec']}, targets {r['tgt']}, __func__ in "
                                 f"{r['func_secs']}, in-place bytes "
                                 f"{'non-zero (REL addends)' if r['inplace_nonzero'] else 'zero'}"
                                 f", lines {r['linenos']}"
                                 + (f", classes: {r['classes']}" if r['classes'] else ""))
    print("| arch | class | data | e_machine | relocations | record size JL=y / JL=n "
          "| records alpha / beta / gamma / delta (.ko) | vmlinux.o | pointer reloc "
          "| `__func__` strings in |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(r)
    for n in notes:
        print(n)
    if failures:
        print(f"\nFAILED: {len(failures)} problem(s)", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print("\nall checks passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
