#!/usr/bin/env python3
"""Cuts the lines wakefd's Abi tables rest on out of C headers, verbatim, for AbiTest's test data.

usage: abi-excerpt.py NAMES_FILE 'source description' HEADER_FILE [...]
Each header is given as a path ('-' reads stdin); its #define lines for the names in NAMES_FILE,
its nfds_t typedef and its struct pollfd are printed under a '// source:' line. Used for the Linux
(/usr/include) and XNU (git show of the cited commit) excerpts; the FreeBSD and OpenBSD ones were
copied by hand from the cited revisions (docs/platforms.md says which).
"""
import re
import sys

names = set(open(sys.argv[1]).read().split())
args = sys.argv[2:]
for i in range(0, len(args), 2):
    desc, path = args[i], args[i + 1]
    text = sys.stdin.read() if path == '-' else open(path).read()
    print('// source: ' + desc)
    lines = text.splitlines()
    j = 0
    while j < len(lines):
        line = lines[j]
        m = re.match(r'#\s*define\s+(\w+)\s', line)
        if m and m.group(1) in names:
            print(line)
        elif re.match(r'typedef\s+.*\bnfds_t\s*;', line):
            print(line)
        elif re.match(r'(typedef\s+)?struct\s+pollfd\s*\{', line):
            while True:
                print(lines[j])
                if lines[j].strip().startswith('}'):
                    break
                j += 1
        j += 1
