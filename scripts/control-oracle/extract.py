#!/usr/bin/env python3
"""Copy named top-level C definitions (functions, or an array initialiser) out of a kernel source file.

Usage: extract.py FILE NAME...   A definition starts on a column-0 line naming NAME before '(' (or '[' for an
array) and ends at the next line that is exactly '}' (for an array, the line holding '};'). The kernel's coding style makes that reliable
for the few lib/ helpers the control-file oracle needs; a name that is not found is an error.
"""
import re
import sys

path, names = sys.argv[1], sys.argv[2:]
lines = open(path, encoding="utf-8", errors="surrogateescape").read().split("\n")
out = []
for name in names:
    head = re.compile(r"^[A-Za-z_][^;=]*?[ *]" + re.escape(name) + r"\s*[(\[]")
    for i, line in enumerate(lines):
        m = head.match(line)
        if m and not line.rstrip().endswith(";"):
            array = m.group(0).endswith("[")
            j = i
            while not (("};" in lines[j]) if array else lines[j] == "}"):
                j += 1
            out.extend(lines[i:j + 1])
            out.append("")
            break
    else:
        sys.exit(f"extract.py: {name} not found in {path}")
sys.stdout.write("\n".join(out))
