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


# ----------------------------------------------------------------------------- diet plan
# Objects built with include/dynamic_debug_diet.h (reference §4, §6): samples/objs/<arch>/
# diet/<variant>/. Every object is read twice, as above: llvm-readelf (section headers and
# which relocation section applies to which section), and the ELF reader here, which
# decodes header pairs, descriptors and site records through their relocations (or, in
# the linked vmlinux, their absolute addresses) and compares them with the sources.
DIET_VARIANTS = ["v5", "v5-nosite", "v6"]
DIET_MODULES = {
    "alpha": ["alpha_main", "alpha_util"],
    "beta": ["beta_core", "beta_proto"],
    "gamma": ["gamma"],
    "epsilon": ["epsilon"],
    "zeta": ["zeta"],
}
DIET_VMLINUX_FILES = ["alpha_main", "alpha_util", "beta_core", "beta_proto", "epsilon"]
DIET_DEBUG = {"epsilon"}
# ld -r per arch (build.sh arch_ld); the header-pair count per linked image follows the
# linker: GNU ld keeps one .gnu.linkonce.* section per name, ld.lld 14 keeps every copy
GNU_LD = {"x86_64", "i386", "s390x"}
SHF_WA = 3


def diet_layout(p, variant, jl):
    """Byte offsets and sizes of struct _ddebug, struct _ddebug_site, and the unions."""
    site = variant == "v5"                       # SITE_CHK: struct _ddebug.site
    fmt = p if site else 0
    w1 = fmt + p                                 # lineno:18 + _index:14 (v6: _back:14)
    w2 = w1 + 4                                  # flags:8 (v6: _map:14 then flags:8)
    end = w2 + 4
    key = None
    if jl:                                       # struct static_key: atomic_t, then a long
        key = (end + p - 1) // p * p
        end = key + 2 * p
    rnd = lambda n: (n + 7) // 8 * 8             # every struct and union is aligned(8)
    rec = rnd(end)
    ssize = rnd(3 * p)
    # union _ddebug_header: max(struct _ddebug, {site, format, lineno.., flags..})
    hdr = rnd(max(rec, 2 * p + 8))
    return dict(site=0 if site else None, fmt=fmt, w1=w1, w2=w2, key=key, rec=rec,
                ssize=ssize, hdr=hdr, hsite=0, hfmt=p, hw1=2 * p, hw2=2 * p + 4)


def diet_bits(elf, w1, w2, variant):
    """(lineno, _index or _back, _map or None, flags); s390x allocates from the MSB."""
    if elf.end == "<":
        lineno, idx = w1 & 0x3ffff, w1 >> 18
        if variant == "v6":
            return lineno, idx, w2 & 0x3fff, (w2 >> 14) & 0xff
        return lineno, idx, None, w2 & 0xff
    lineno, idx = w1 >> 14, w1 & 0x3fff
    if variant == "v6":
        return lineno, idx, w2 >> 18, (w2 >> 10) & 0xff
    return lineno, idx, None, w2 >> 24


class DietPtrs:
    """Pointer fields of one object: through relocations (ET_REL) or absolute (ET_EXEC)."""

    def __init__(self, elf):
        self.elf = elf
        self.exec = elf.type == 2
        self.rels = {}

    def rel_map(self, idx):
        if idx not in self.rels:
            m = {}
            for r in self.elf.relocs_for(idx):
                if r[0] in m:
                    fail(self.elf.path, f"two relocations at {self.elf.sections[idx]['name']}"
                                        f"+{r[0]:#x}")
                m[r[0]] = r
            self.rels[idx] = m
        return self.rels[idx]

    def get(self, idx, off):
        """None for a null pointer, else (key, (shndx, offset), how): key compares as
        'same symbol and addend' (ET_REL) or 'same address' (ET_EXEC)."""
        e = self.elf
        sec = e.sections[idx]
        place = sec["offset"] + off
        if self.exec:
            v = e.word(place, e.ptr)
            if v == 0:
                return None
            for i, s in enumerate(e.sections):
                if s["flags"] & 2 and s["addr"] <= v < s["addr"] + s["size"]:
                    return ("abs", v), (i, v - s["addr"]), f"{v:#x}"
            return ("abs", v), (None, v), f"{v:#x}"
        r = self.rel_map(idx).get(off)
        if r is None:
            return None
        _, t, t2, t3, sym, add, _ = r
        if (t, t2, t3) != (ABS[self.arch][1], 0, 0):
            fail(e.path, f"{sec['name']}+{off:#x}: relocation type {(t, t2, t3)}")
        if add is None:
            add = struct.unpack_from(e.end + ("i" if e.ptr == 4 else "q"), e.data, place)[0]
        elif e.word(place, e.ptr) != 0:
            fail(e.path, f"{sec['name']}+{off:#x}: RELA place is not zero")
        key = ("rel", sym["name"], sym["shndx"], sym["value"], add)
        name = sym["name"] or (e.sections[sym["shndx"]]["name"] if sym["type"] == 3 else "?")
        how = f"{name} + {add:#x} ({'REL, in place' if r[5] is None else 'RELA'})"
        if sym["shndx"] == 0 or sym["shndx"] >= 0xff00:
            return key, (None, add), how
        return key, (sym["shndx"], sym["value"] + add), how

    def string(self, target):
        shndx, off = target
        if shndx is None:
            return None
        return self.elf.cstr(self.elf.sections[shndx]["offset"] + off)


def readelf_relsecs(path):
    """llvm-readelf's section table: name -> (type, flags, align, entsize, info)."""
    out = subprocess.run([READELF, "-S", "--wide", path], check=True, capture_output=True,
                         text=True).stdout
    secs = {}
    for ln in out.splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+"
                     r"[0-9a-f]+\s+([0-9a-f]+)\s+([A-Za-z]*)\s+\d+\s+(\d+)\s+(\d+)", ln)
        if m:
            secs[int(m.group(1))] = dict(name=m.group(2), type=m.group(3),
                                         es=int(m.group(4), 16), flg=m.group(5),
                                         info=int(m.group(6)), align=int(m.group(7)))
    return secs


def diet_check(arch, variant, rel, kind, files):
    """Check one diet object. kind: o (module object), ko (ld -r -T module script),
    noscript (plain ld -r), vmlinux.o (ld -r, builtin objects), vmlinux (ld -T, ET_EXEC).
    Returns a summary dict for the README tables."""
    path = os.path.join(OBJS, rel)
    where = rel
    nfail = len(failures)
    elf = Elf(path)
    if elf.machine != ABS[arch][0]:
        fail(where, f"e_machine {elf.machine}")
    ptrs = DietPtrs(elf)
    ptrs.arch = arch
    p = elf.ptr
    jl = not any(f in JL_OFF for f in files)
    lay = diet_layout(p, variant, jl)
    dname = "__dyndbgs" if variant == "v6" else "__dyndbg"
    lld = arch not in GNU_LD and kind in ("ko", "noscript")
    modof = {f: m for m, fs in DIET_MODULES.items() for f in fs}
    first_mod = modof[files[0]]

    # --- where the arrays are: (section index, start offset, size)
    def sec_array(name):
        i, s = elf.section(name)
        return None if s is None else (i, 0, s["size"])

    if kind == "vmlinux":
        sym = {s["name"]: s for s in elf.symbols if s["name"]}
        if elf.type != 2:
            fail(where, f"e_type {elf.type}, expected ET_EXEC")
        arrays = {}
        for n, start, stop in (("D", "__start___dyndbg", "__stop___dyndbg"),
                               ("S", "__start___dyndbg_sites", "__stop___dyndbg_sites")):
            a, b = sym[start], sym[stop]
            sec = elf.sections[a["shndx"]]
            arrays[n] = (a["shndx"], a["value"] - sec["addr"], b["value"] - a["value"])
            if sec["name"] != ".data":
                fail(where, f"{start} in {sec['name']}, expected .data")
        D, S, HD, HS = arrays["D"], arrays["S"], None, None
        if sym["__stop___dyndbg_sites"]["value"] != sym["__start___dyndbg"]["value"]:
            fail(where, "__dyndbg does not start where __dyndbg_sites stops")
    else:
        D, S = sec_array(dname), sec_array("__dyndbg_sites")
        HD, HS = sec_array(".gnu.linkonce.dyndbg"), sec_array(".gnu.linkonce.dyndbg_site")
        if elf.section("__dyndbgs" if variant != "v6" else "__dyndbg")[1] is not None:
            fail(where, "has the other variant's descriptor section")
        # reading 1: llvm-readelf section headers and relocation-section targets
        re_secs = readelf_relsecs(path)
        for arr in (D, S, HD, HS):
            if arr is None:
                continue
            v = re_secs[arr[0]]
            if (v["type"], v["flg"], v["align"], v["es"]) != ("PROGBITS", "WA", 8, 0):
                fail(where, f"{v['name']} is {v['type']} {v['flg']} align {v['align']} "
                            f"es {v['es']}, expected PROGBITS WA 8 0")
        relsec = {v["info"]: v["name"] for v in re_secs.values()
                  if v["type"] in ("REL", "RELA")}
        for arr in (D, S, HD, HS):
            if arr is not None and arr[2] and arr[0] not in relsec:
                fail(where, f"{elf.sections[arr[0]]['name']}: no relocation section")

    # --- expected: header pairs per array, records from the sources
    # GNU ld keeps one .gnu.linkonce.* section per name, ld.lld one per input object; a
    # script (module.lds, the vmlinux block) puts them at element 0 of the arrays
    pairs = len(files) if lld else 1
    nh_d, nh_l = (pairs, 0) if kind in ("ko", "vmlinux") else (0, pairs)
    if (HD is None) != (nh_l == 0) or (HS is None) != (nh_l == 0):
        fail(where, f".gnu.linkonce.dyndbg* present: {HD is not None}/{HS is not None}, "
                    f"expected {nh_l > 0}")
        if nh_l:
            return None
    expected = {}
    for f in files:
        for ln, site in expected_sites(f).items():
            expected[(f + ".c", ln)] = site
    nrec = len(expected)
    # an object without records and without a placed header has no descriptor sections
    if D is None and S is None and nrec == 0 and nh_d == 0:
        D = S = (None, 0, 0)
    if D is None or S is None:
        fail(where, f"missing {dname} or __dyndbg_sites")
        return None

    # symbol sizes: descriptors, sites, the header pair
    dsyms = [s for s in elf.symbols if "__UNIQUE_ID_ddebug" in s["name"]
             and not s["name"].endswith("_site")]
    ssyms = [s for s in elf.symbols if "__UNIQUE_ID_ddebug" in s["name"]
             and s["name"].endswith("_site")]
    if kind != "vmlinux" or dsyms:
        for what, syms, want in (("descriptor", dsyms, lay["rec"]), ("site", ssyms, lay["ssize"])):
            sizes = sorted({s["size"] for s in syms})
            if len(syms) != nrec or (syms and sizes != [want]):
                fail(where, f"{len(syms)} {what} symbols of sizes {sizes}, expected {nrec} x {want}")
    hsym = [s for s in elf.symbols if s["name"] == "_LINKONCE_dyndbg_header"]
    hssym = [s for s in elf.symbols if s["name"] == "_LINKONCE_dyndbg_site_header"]
    H, HS_ = (D, S) if nh_d else (HD, HS)     # where the header pairs are
    for name, ss, arr, size in (("_LINKONCE_dyndbg_header", hsym, H, lay["hdr"]),
                                ("_LINKONCE_dyndbg_site_header", hssym, HS_, lay["ssize"])):
        if len(ss) != 1:
            fail(where, f"{len(ss)} symbols {name}")
            continue
        s = ss[0]
        sec = elf.sections[s["shndx"]]
        off = s["value"] - (sec["addr"] if kind == "vmlinux" else 0)
        if (s["bind"], s["type"], s["size"], s["shndx"], off) != (2, 1, size, arr[0], arr[1]):
            fail(where, f"{name}: bind {s['bind']} type {s['type']} size {s['size']} in "
                        f"{sec['name']}+{off:#x}, expected WEAK OBJECT {size} at element 0")

    # sizes of the arrays
    want_d = nh_d * lay["hdr"] + nrec * lay["rec"]
    want_s = nh_d * lay["ssize"] + nrec * lay["ssize"]
    if (D[2], S[2]) != (want_d, want_s):
        fail(where, f"{dname} {D[2]} / __dyndbg_sites {S[2]} bytes, expected {want_d} / {want_s}")
    if nh_l:
        if (HD[2], HS[2]) != (nh_l * lay["hdr"], nh_l * lay["ssize"]):
            fail(where, f".gnu.linkonce.dyndbg {HD[2]} / _site {HS[2]} bytes, expected "
                        f"{nh_l} x {lay['hdr']} / {lay['ssize']}")

    covered = {}   # section index -> set of offsets that hold a pointer

    def pointer(arr, off):
        covered.setdefault(arr[0], set()).add(arr[1] + off)
        return ptrs.get(arr[0], arr[1] + off)

    def u32(arr, off):
        return struct.unpack_from(elf.end + "I", elf.data,
                                  elf.sections[arr[0]]["offset"] + arr[1] + off)[0]

    def zero_except(arr, off, size, keep):
        base = elf.sections[arr[0]]["offset"] + arr[1] + off
        for i in range(size):
            if elf.data[base + i] and not any(a <= i < b for a, b in keep):
                return False
        return True

    # --- header pairs
    nh = nh_d or nh_l
    h0 = None
    loop_how = []
    for k in range(nh):
        ho, so = k * lay["hdr"], k * lay["ssize"]
        fmt = pointer(H, ho + lay["hfmt"])
        hsite = pointer(H, ho + lay["hsite"])
        mod = pointer(HS_, so)
        fil = pointer(HS_, so + p)
        fun = pointer(HS_, so + 2 * p)
        tag = f"header pair {k}"
        if not (fmt and mod and fun) or not (fmt[0] == mod[0] == fun[0]):
            fail(where, f"{tag}: format/modname/function are not one symbol+addend: "
                        f"{fmt and fmt[2]} / {mod and mod[2]} / {fun and fun[2]}")
        elif ptrs.string(fmt[1]) != first_mod:
            fail(where, f"{tag}: format string {ptrs.string(fmt[1])!r}, expected {first_mod!r}")
        if k == 0:
            h0 = fmt
        # every copy points at the surviving (first) pair: one weak symbol per name
        if fil is None or fil[1] != (H[0], H[1]):
            fail(where, f"{tag}: filename loopback {fil and fil[2]} is not header 0")
        elif fil:
            loop_how.append(fil[2])
        if variant == "v5-nosite":
            if hsite is not None or not zero_except(H, ho, p, []):
                fail(where, f"{tag}: .site set, expected NULL (v5 28/28 SITE_INIT_ is empty)")
        elif hsite is None or hsite[1] != (HS_[0], HS_[1]):
            fail(where, f"{tag}: .site {hsite and hsite[2]} is not the site header 0")
        if (u32(H, ho + lay["hw1"]), u32(H, ho + lay["hw2"])) != (0, 0):
            fail(where, f"{tag}: lineno/_index/flags words not zero")
        if not zero_except(H, ho, lay["hdr"], [(0, 2 * p)]):
            fail(where, f"{tag}: non-zero bytes outside site/format")
        if not zero_except(HS_, so, lay["ssize"], [(0, 3 * p)]):
            fail(where, f"{tag}: site header padding not zero")

    # --- records: descriptor i and site i, in parallel after the headers
    seen, lines, flagset, mapped = set(), [], set(), set()
    dbase, sbase = nh_d * lay["hdr"], nh_d * lay["ssize"]
    for i in range(nrec):
        do, so = dbase + i * lay["rec"], sbase + i * lay["ssize"]
        mod, fil, fun = (pointer(S, so + k * p) for k in range(3))
        fmt = pointer(D, do + lay["fmt"])
        strs = [ptrs.string(x[1]) if x else None for x in (mod, fil, fun, fmt)]
        lineno, idx, mp, flags = diet_bits(elf, u32(D, do + lay["w1"]), u32(D, do + lay["w2"]),
                                           variant)
        lines.append(lineno)
        flagset.add(flags)
        exp = expected.get((strs[1], lineno))
        if exp is None:
            fail(where, f"record {i}: {strs[1]}:{lineno} is not a pr_debug call site")
            continue
        seen.add((strs[1], lineno))
        fmod = modof[strs[1][:-2]]
        debug = fmod in DIET_DEBUG
        got = (strs[0], strs[2], strs[3], idx, mp, flags)
        want = (fmod, exp[0], exp[1], 0, 0 if variant == "v6" else None, 1 if debug else 0)
        if got != want:
            fail(where, f"record {i} ({strs[1]}:{lineno}): got {got!r}, want {want!r}")
        if lay["site"] is not None:
            sp = pointer(D, do + lay["site"])
            if sp is None or sp[1] != (S[0], S[1] + so):
                fail(where, f"record {i}: .site {sp and sp[2]} is not site record {i}")
            mapped.add(sp is not None and sp[1] == (S[0], S[1] + so))
        keep = [(lay["fmt"], lay["fmt"] + p), (lay["w1"], lay["w2"] + 4)]
        if lay["site"] is not None:
            keep.append((0, p))
        if lay["key"] is not None:
            ko = lay["key"]
            koff = elf.sections[D[0]]["offset"] + D[1] + do + ko
            key = (struct.unpack_from(elf.end + "i", elf.data, koff)[0],
                   elf.word(koff + p, p))
            if key != ((1, 1) if debug else (0, 0)):
                fail(where, f"record {i}: key {key}")
            keep += [(ko, ko + 4), (ko + p, ko + 2 * p)]
        if not zero_except(D, do, lay["rec"], keep):
            fail(where, f"record {i}: padding not zero")
        if not zero_except(S, so, lay["ssize"], [(0, 3 * p)]):
            fail(where, f"site {i}: padding not zero")
    missing = set(expected) - seen
    if missing:
        fail(where, f"call sites without a record: {sorted(missing)}")

    # --- no relocation other than the pointer fields checked above
    if not ptrs.exec:
        for arr in (D, S, HD, HS):
            if arr is None:
                continue
            extra = set(ptrs.rel_map(arr[0])) - covered.get(arr[0], set())
            if extra:
                fail(where, f"{elf.sections[arr[0]]['name']}: unexpected relocations at "
                            f"{sorted(hex(x) for x in extra)}")
    summary = dict(
        rec=lay["rec"], ssize=lay["ssize"], hdr=lay["hdr"], nrec=nrec, nh=nh, nh_d=nh_d,
        d_elems=nh_d + nrec, dsize=D[2],
        sh_addr=tuple(None if x[0] is None else elf.sections[x[0]]["addr"] for x in (D, S)),
        relsec=None if ptrs.exec else (relsec.get(S[0]), relsec.get(D[0])),
        sec_order=[s["name"] for s in elf.sections if s["name"] in
                   (dname, "__dyndbg_sites", ".gnu.linkonce.dyndbg",
                    ".gnu.linkonce.dyndbg_site")],
        loopback=loop_how[0] if loop_how else None, header_mod=ptrs.string(h0[1]) if h0 else None,
        ok=len(failures) == nfail, lines=lines, flags=sorted(flagset))
    return summary


def diet_main(detail):
    """Check every diet object; print one table per variant (samples/README.md)."""
    linker = {a: ("ld.bfd" if a in ("x86_64", "i386") else
                  "s390x-linux-gnu-ld" if a == "s390x" else "ld.lld") for a in ARCH_ORDER}
    notes = []
    for v in DIET_VARIANTS:
        rows = []
        for arch in ARCH_ORDER:
            base = f"{arch}/diet/{v}"
            if not os.path.isdir(os.path.join(OBJS, base)):
                fail(base, "missing")
                continue
            res = {}
            for m, files in DIET_MODULES.items():
                for f in files:
                    res[f + ".o"] = diet_check(arch, v, f"{base}/{f}.o", "o", [f])
                res[m + ".ko"] = diet_check(arch, v, f"{base}/{m}.ko", "ko", files)
            if v == "v5":
                res["alpha.noscript.ko"] = diet_check(arch, v, f"{base}/alpha.noscript.ko",
                                                      "noscript", DIET_MODULES["alpha"])
            if arch == "x86_64":
                res["vmlinux.o"] = diet_check(arch, v, f"{base}/vmlinux.o", "vmlinux.o",
                                              DIET_VMLINUX_FILES)
                res["vmlinux"] = diet_check(arch, v, f"{base}/vmlinux", "vmlinux",
                                            DIET_VMLINUX_FILES)
            a, g = res["alpha.ko"], res["gamma.ko"]
            if not a or not g:
                continue
            elems = " / ".join(str(res[m + ".ko"]["d_elems"]) for m in DIET_MODULES)
            quirk = "" if g["dsize"] % g["rec"] == 0 else \
                f" (gamma: {g['dsize']} % {g['rec']} = {g['dsize'] % g['rec']})"
            rs, rd = a["relsec"]
            rows.append(
                f"| {arch} | {linker[arch]} | {a['rec']} / {g['rec']} | {a['ssize']} "
                f"| {a['hdr']} / {g['hdr']}{quirk} | {elems} | {a['nh']} / "
                f"{res['beta.ko']['nh']} | {'yes' if a['nh_d'] else 'no'} "
                f"| `{rs}`, `{rd}` | {a['sh_addr'][1]:#x} / {a['sh_addr'][0]:#x} "
                f"| {a['loopback']} |")
            if detail:
                for name, r in res.items():
                    if r:
                        notes.append(f"{base}/{name}: {r['nrec']} records x {r['rec']} + "
                                     f"{r['nh']} header pair(s) x {r['hdr']} "
                                     f"({'element 0' if r['nh_d'] else 'own sections'}), "
                                     f"sites x {r['ssize']}, sections {r['sec_order']}, "
                                     f"relocs {r['relsec']}, loopback {r['loopback']}, "
                                     f"header modname {r['header_mod']!r}, lines {r['lines']}, "
                                     f"flags {r['flags']}")
        print(f"\nDiet {v}: descriptor section "
              f"`{'__dyndbgs' if v == 'v6' else '__dyndbg'}`\n")
        print("| arch | ld -r | record JL=y / JL=n | site | header union JL=y / JL=n "
              "| elements in .ko alpha / beta / gamma / epsilon / zeta (headers included) "
              "| header pairs in alpha.ko / beta.ko | header at element 0 "
              "| relocation sections of `__dyndbg_sites`, descriptors "
              "| sh_addr sites / descriptors (alpha.ko) | loopback relocation (alpha.ko) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(r)
    for n in notes:
        print(n)


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
    diet_main(detail)
    if failures:
        print(f"\nFAILED: {len(failures)} problem(s)", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print("\nall checks passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
