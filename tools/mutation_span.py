#!/usr/bin/env python3
"""Print the Stryker --mutate text span of one C# method: {START..END}, character offsets (tools/mutation.sh).

usage: tools/mutation_span.py FILE METHOD

Stryker.NET's '{start..end}' after a --mutate glob is a span of characters, not of lines; naming the method keeps an
area's selection right when the file above it changes. The span runs from the first line that declares METHOD
(`... METHOD(`) to the end of its body: the matching '}' of a block body or the ';' that ends an expression body.
Brackets inside strings, characters and comments are skipped. Exit status 1 if the method is not found.
"""
import re
import sys


def body_end(text: str, start: int) -> int:
    """Offset just past the end of the member declared at start."""
    depth = 0
    saw_block = expression = False
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        two = text[i:i + 2]
        if two == "//":
            i = text.find("\n", i)
            if i < 0:
                return n
            continue
        if two == "/*":
            i = text.find("*/", i + 2) + 2
            continue
        if c == '"' or c == "'":
            verbatim = i > 0 and text[i - 1] == "@"
            i += 1
            while i < n and text[i] != c:
                i += 2 if (text[i] == "\\" and not verbatim) else 1
            i += 1
            continue
        if c in "({[":
            if c == "{" and depth == 0 and not expression:
                saw_block = True
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth == 0 and c == "}" and saw_block:
                return i + 1
        elif c == ";" and depth == 0:
            return i + 1
        elif c == ">" and depth == 0 and text[i - 1] == "=" and not saw_block:
            expression = True  # an expression body ends at its ';'
        i += 1
    return n


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path, method = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    decl = re.compile(r"^[ \t]*(?:(?:public|private|internal|protected|static|unsafe|override|sealed|virtual|partial)\s+)+"
                      r"[\w<>\[\]?,. ]+\s" + re.escape(method) + r"\s*\(", re.M)
    m = decl.search(text)
    if not m:
        print(f"error: no method {method} declared in {path}", file=sys.stderr)
        return 1
    start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
    print(f"{{{start}..{body_end(text, start)}}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
