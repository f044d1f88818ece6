#!/usr/bin/env python3
"""Writes each ```cpp block that follows a `<!-- snippet: NAME -->` line of a markdown file to
OUTDIR/NAME.inc, so a test compiles the documentation's own code. Usage: DOC OUTDIR."""
import pathlib
import re
import sys

doc, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
text = doc.read_text()
found = re.findall(r"<!-- snippet: ([\w-]+) -->\s*```cpp\n(.*?)```", text, re.S)
if not found:
    sys.exit(f"{doc}: no snippets found")
for name, code in found:
    (out / f"{name}.inc").write_text(f"// generated from {doc.name}: edit the doc, not this file\n{code}")
