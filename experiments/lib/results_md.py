"""RESULTS.md from experiments/RESULTS.in.md: each line `{{table NAME}}` becomes tables/NAME.md of
the given results folder, `{{file PATH}}` a file's text (relative to the repository), everything
else is kept as written. So the prose is written by a person and every table by a runner.
Usage: results_md.py TEMPLATE TABLES_DIR OUT"""

import os
import re
import sys


def main(template, tables, out):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    repo = os.path.dirname(repo)
    lines = []
    for line in open(template).read().splitlines():
        m = re.fullmatch(r"\{\{(table|file) (\S+)\}\}", line.strip())
        if not m:
            lines.append(line)
            continue
        path = os.path.join(tables, m.group(2) + ".md") if m.group(1) == "table" else os.path.join(repo, m.group(2))
        if os.path.exists(path):
            lines.append(open(path).read().rstrip("\n"))
        else:
            lines.append("*(%s: not produced by this run)*" % os.path.relpath(path, repo))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
