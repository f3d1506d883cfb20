#!/usr/bin/python3
"""difftest.py - differential testing of the kernel against CPython.

    tests/diff/difftest.py --n 2000 --seed 1 --diffrun build/host/diffrun

generates N scenario programs (progen.py; program i depends only on the seed and i), runs
each on the Python interpreter (scenario.py) and on the kernel (the host build of
apps/diffrun.c, one process for many programs), rewrites the C trace with the mapping table
of docs/python.md and compares. A divergence is shrunk (the smallest variant that still
diverges) and printed with both traces; the exit status is then 1. --cmd runs the C side
through another command that reads programs on stdin (a board's console, for instance);
tests/qemu/test_diff.py drives the boards through the shell's `diffrun` with the same
functions.
"""
import argparse
import difflib
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import progen      # noqa: E402
import scenario    # noqa: E402

DOC = os.path.join(ROOT, "docs", "python.md")
SECTION = "## Differential testing: the mapping"


class Mapping:
    """The first table of docs/python.md's section SECTION: rows `| statement | C | Python |
    why |`. Statement `*`: a word rewritten anywhere; else the outcome of those statements."""

    def __init__(self, path=DOC):
        self.words, self.outcomes = {}, {}
        text = open(path).read()
        section = text[text.index(SECTION):]
        rows = []
        for line in section.splitlines()[1:]:
            if line.startswith("|"):
                rows.append(line)
            elif rows:
                break                     # the end of the first table
        for row in rows[2:]:
            cells = [c.strip().replace("`", "") for c in row.strip("|").split("|")]
            stmts, c, py = cells[0], cells[1], cells[2]
            if stmts == "*":
                self.words[c] = py
            else:
                for s in stmts.split(","):
                    self.outcomes[(s.strip(), c)] = py

    def apply(self, line):
        """A C trace line as Python prints it."""
        head, sep, outcome = line.partition(" = ")
        w = head.split()
        if sep and len(w) >= 3:
            stmt = w[3] if w[2].startswith("G") and len(w) > 3 else w[2]
            if (stmt, outcome) in self.outcomes:
                return head + sep + self.outcomes[(stmt, outcome)]
        return re.sub(r"[A-Z_][A-Z_0-9]+", lambda m: self.words.get(m.group(0), m.group(0)), line)


class HostKernel:
    """build/host/diffrun (or any command that reads programs on stdin and prints each one's
    trace, then "diffrun: done"), kept running across programs."""

    def __init__(self, argv):
        self.argv = argv
        self.p = None

    def run(self, text):
        if self.p is None:
            self.p = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True, bufsize=1)
        self.p.stdin.write(text)
        self.p.stdin.flush()
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                lines.append("diffrun: exited with status %s" % self.p.wait())
                self.p = None
                break
            line = line.rstrip("\r\n")
            if line == "diffrun: done":
                break
            lines.append(line)
            if line == "diffrun: deadlock":
                self.p.wait()
                self.p = None
                break
        return lines

    def close(self):
        if self.p is not None:
            self.p.stdin.close()
            self.p.wait()
            self.p = None


def diff(c_lines, py_lines, mapping):
    """'' if the traces match, else a unified diff (C rewritten by the mapping, Python)."""
    mapped = [mapping.apply(l) for l in c_lines]
    if mapped == py_lines:
        return ""
    return "\n".join(difflib.unified_diff(mapped, py_lines, "kernel (mapped)", "python", lineterm="", n=50))


def report(prog, c_lines, py_lines, mapping, title):
    text = scenario.dump(prog)
    return "%s\n--- program\n%s--- kernel trace\n%s\n--- python trace\n%s\n--- diff\n%s\n" % (
        title, text, "\n".join(c_lines), "\n".join(py_lines), diff(c_lines, py_lines, mapping))


def check(seed, n, kernel, runner, mapping, size=40, ticks=30, shrink=True, log=print,
          shrink_budget=400):
    """Run programs 0..n-1 of seed on kernel (an object whose run(text) returns the C
    trace); return the reports of the divergences."""
    found, dropped = [], 0
    for i in range(n):
        prog, py_lines, drops = progen.generate(seed, i, runner, size, ticks)
        dropped += drops
        c_lines = kernel.run(scenario.dump(prog))
        if not diff(c_lines, py_lines, mapping):
            continue

        def diverges(p):
            py = runner.run(p)[0]
            return bool(diff(kernel.run(scenario.dump(p)), py, mapping))

        small = progen.shrink(prog, diverges, runner, shrink_budget) if shrink else prog
        py_small, c_small = runner.run(small)[0], kernel.run(scenario.dump(small))
        if diff(c_small, py_small, mapping):
            text = report(small, c_small, py_small, mapping,
                          "DIVERGENCE: seed %s program %d (shrunk from %d to %d statements)" %
                          (seed, i, progen.count(prog), progen.count(small)))
        else:                            # (a real clock's timing may not repeat)
            text = report(prog, c_lines, py_lines, mapping,
                          "DIVERGENCE: seed %s program %d (it did not shrink: it no longer "
                          "diverges)" % (seed, i))
        log(text)
        found.append(text)
    log("difftest: %d programs (seed %s), %d divergences; %d generated programs were dropped "
        "for a hazard (docs/python.md)" % (n, seed, len(found), dropped))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="programs to run")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--diffrun", default=os.path.join(ROOT, "build", "host", "diffrun"),
                    help="the host build of diffrun")
    ap.add_argument("--cmd", help="run the C side with this shell command instead")
    ap.add_argument("--size", type=int, default=40, help="statements per program, about")
    ap.add_argument("--ticks", type=int, default=30, help="longest duration, in ticks, about")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--show", type=int, metavar="I", help="print program I and both traces")
    a = ap.parse_args()

    mapping = Mapping()
    runner = scenario.Runner()
    kernel = HostKernel(["/bin/sh", "-c", a.cmd] if a.cmd else [a.diffrun])
    if a.show is not None:
        prog, py_lines, _ = progen.generate(a.seed, a.show, runner, a.size, a.ticks)
        print(report(prog, kernel.run(scenario.dump(prog)), py_lines, mapping, "program %d" % a.show))
        return 0
    start = time.monotonic()
    found = check(a.seed, a.n, kernel, runner, mapping, a.size, a.ticks, not a.no_shrink)
    kernel.close()
    print("difftest: %.1f s" % (time.monotonic() - start))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
