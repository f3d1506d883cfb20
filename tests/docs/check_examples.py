#!/usr/bin/env python3
"""Compile every ```c block of docs/python.md with the qemu-x86 kernel's compiler and
flags (-Werror), each as its own translation unit. Exits non-zero on the first failure."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRELUDE = '#include <stdio.h>\n#include "k.h"\n#include "net.h"\n#include "lwip/sockets.h"\n'


def main():
    text = open(os.path.join(ROOT, "docs", "python.md")).read()
    blocks = re.findall(r"```c\n(.*?)```", text, re.S)
    cc = subprocess.run(["make", "-s", "--no-print-directory", "BOARD=qemu-x86", "print-cc"],
                        cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    out = os.path.join(ROOT, "build", "docs-examples")
    os.makedirs(out, exist_ok=True)
    failed = 0
    for i, code in enumerate(blocks):
        src = os.path.join(out, "example%02d.c" % i)
        with open(src, "w") as f:
            f.write(PRELUDE + code)
        r = subprocess.run(cc.split() + ["-Wno-unused-function", "-c", src, "-o", src + ".o"],
                           cwd=ROOT, capture_output=True, text=True)
        status = "ok" if r.returncode == 0 else "FAILED"
        print("docs example %d: %s" % (i, status))
        if r.returncode:
            print(r.stderr)
            failed += 1
    print("docs: %d passed, %d failed" % (len(blocks) - failed, failed))
    return 1 if failed or not blocks else 0


if __name__ == "__main__":
    sys.exit(main())
