#!/usr/bin/env python3
"""Replaces the block between '<!-- NAME:BEGIN' and '<!-- NAME:END -->' in a Markdown file with a new block (which
carries its own markers); appends it under HEADING when the file has none yet.
Usage: scripts/splice-doc.py NAME NEW_BLOCK_FILE DOC "HEADING"   (used by bench.sh and bench-dotnet.sh)"""
import re
import sys

name, new_file, doc_file, heading = sys.argv[1:5]
new = open(new_file).read()
doc = open(doc_file).read()
pat = re.compile(r"<!-- " + re.escape(name) + r":BEGIN.*?<!-- " + re.escape(name) + r":END -->\n?", re.S)
doc = pat.sub(lambda m: new, doc) if pat.search(doc) else doc.rstrip() + "\n\n## " + heading + "\n\n" + new
open(doc_file, "w").write(doc)
