#!/usr/bin/python3
"""size-check.py — no source file over MAX_FILE_LINES lines, no function over
MAX_FUNCTION_LINES lines, in src/ (.c, .h, .cu, .cuh).

    scripts/size-check.py [ROOT]       check; exit 1 listing each offender
    scripts/size-check.py --list [ROOT]  every function of more than 100 lines, and the longest files
    scripts/size-check.py --self-test  the checker against files it must flag

A function is counted from the line of its name to its closing brace. The
parser is a sketch, not a compiler: comments, strings, character constants
and preprocessor lines (with their continuations) are skipped, and a `{` at
file level after a `)` opens a function body.

Exit 0: none over; 1: offenders, one line each on stderr ("FILE: N lines"
or "FILE:LINE NAME: N lines"); 2: usage.
"""

import os
import re
import sys
import tempfile

MAX_FILE_LINES = 1000
MAX_FUNCTION_LINES = 150

# Files that are data (tables of numbers, generated lists), exempt from the
# file limit, never from the function limit. None today.
DATA_TABLES = set()

# Files or functions allowed over their limit ("PATH" or "PATH:NAME"), each
# with its reason; an entry that no longer offends is reported as stale
# (exit 1) so the list cannot outlive its reason. Empty since issue 16.
ALLOWED = set()

SOURCE_EXT = (".c", ".h", ".cu", ".cuh")


def strip(text):
    """The text with comments, strings, char constants and preprocessor
    lines blanked (newlines kept, so line numbers stay)."""
    out, i, n = [], 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c in " \t":
            out.append(c)
            i += 1
            continue
        if at_line_start and c == "#":  # a directive, with its continuation lines
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append("\n")
                    i += 2
                    continue
                i += 1
            continue
        at_line_start = c == "\n"
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * max(0, min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """[(name, first_line, last_line)] of the function bodies at file level."""
    s = strip(text)
    found, depth, i = [], 0, 0
    start = None
    while i < len(s):
        c = s[i]
        if c == "{":
            if depth == 0:
                j = i - 1
                while j >= 0 and s[j].isspace():
                    j -= 1
                start = None
                if j >= 0 and s[j] == ")":
                    start = signature(s, j)
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and start:
                name, pos = start
                found.append((name, s.count("\n", 0, pos) + 1, s.count("\n", 0, i) + 1))
                start = None
        i += 1
    return found


def signature(s, close):
    """(name, offset) of the function whose parameter list ends at s[close]."""
    while True:
        depth, j = 0, close
        while j >= 0:
            if s[j] == ")":
                depth += 1
            elif s[j] == "(":
                depth -= 1
                if depth == 0:
                    break
            j -= 1
        k = j - 1
        while k >= 0 and s[k].isspace():
            k -= 1
        m = re.search(r"[A-Za-z_]\w*$", s[: k + 1])
        if not m:
            return None
        if m.group(0) in ("__attribute__", "__declspec"):  # f(...) __attribute__((x)) {
            close = m.start() - 1
            while close >= 0 and s[close] != ")":
                close -= 1
            if close < 0:
                return None
            continue
        if m.group(0) in ("if", "for", "while", "switch", "return", "sizeof"):
            return None
        return m.group(0), m.start()


def check(root):
    """(offence lines, [(lines, path)], [(lines, path, line, name)], used allow-list entries)."""
    offences, files, funcs, used = [], [], [], set()
    base = os.path.join(root, "src")
    for dirpath, _, names in sorted(os.walk(base)):
        for name in sorted(names):
            if not name.endswith(SOURCE_EXT):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            nlines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
            files.append((nlines, rel))
            if nlines > MAX_FILE_LINES and rel not in DATA_TABLES:
                if rel in ALLOWED:
                    used.add(rel)
                else:
                    offences.append(f"{rel}: {nlines} lines (at most {MAX_FILE_LINES}; split it by concern)")
            for fname, first, last in functions(text):
                n = last - first + 1
                funcs.append((n, rel, first, fname))
                if n > MAX_FUNCTION_LINES:
                    key = f"{rel}:{fname}"
                    if key in ALLOWED:
                        used.add(key)
                    else:
                        offences.append(f"{rel}:{first} {fname}: {n} lines (at most {MAX_FUNCTION_LINES}; "
                                        "split it into named steps)")
    return offences, files, funcs, used


def self_test():
    long_body = "".join(f"  x += {k};\n" for k in range(MAX_FUNCTION_LINES))
    cases = {
        "src/a/ok.c": "/* { */\nstatic const int t[] = {1, 2};\n#define M(x) { \\\n  x }\nint f(void) {\n"
                      "  const char *s = \"}{\";\n  return t[0] + s[0] + '}';\n}\n",
        "src/a/long.c": "struct s { int a; };\nstatic int too_long(int x) {\n" + long_body + "  return x;\n}\n",
        "src/a/big.h": "int v;\n" * (MAX_FILE_LINES + 1),
    }
    with tempfile.TemporaryDirectory() as root:
        for rel, text in cases.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as fh:
                fh.write(text)
        offences, _, funcs, _ = check(root)
    want = [f"src/a/big.h: {MAX_FILE_LINES + 1} lines",
            f"src/a/long.c:2 too_long: {MAX_FUNCTION_LINES + 3} lines"]
    got = [o.split(" (")[0] for o in offences]
    ok = got == want and ("f" in [f[3] for f in funcs]) and [f[0] for f in funcs if f[3] == "f"] == [4]
    print("size-check self-test:", "ok" if ok else f"FAILED: offences {got}, functions {funcs}")
    return 0 if ok else 1


def main(argv):
    root, listing = None, False
    for arg in argv[1:]:
        if arg == "--self-test":
            return self_test()
        if arg == "--list":
            listing = True
        elif arg in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif not arg.startswith("-") and root is None:
            root = arg
        else:
            print(f"size-check.py: unknown argument '{arg}' (valid: --list, --self-test, ROOT)", file=sys.stderr)
            return 2
    root = root or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    if not os.path.isdir(os.path.join(root, "src")):
        print(f"size-check.py: {root} has no src/ folder", file=sys.stderr)
        return 2
    offences, files, funcs, used = check(root)
    if listing:
        for n, rel in sorted(files, reverse=True)[:10]:
            print(f"{n:6d}  {rel}")
        for n, rel, first, name in sorted(funcs, reverse=True):
            if n > 100:
                print(f"{n:6d}  {rel}:{first} {name}")
    stale = sorted(ALLOWED - used)
    for entry in stale:
        offences.append(f"{entry}: on the allow-list in scripts/size-check.py but no longer over: remove it")
    for line in offences:
        print(line, file=sys.stderr)
    if offences:
        print(f"size-check.py: {len(offences)} offender(s)", file=sys.stderr)
        return 1
    print(f"size-check.py: {len(files)} files, {len(funcs)} functions, none over {MAX_FILE_LINES}/"
          f"{MAX_FUNCTION_LINES} lines ({len(used)} allowed while being split)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
