#!/usr/bin/python3
"""layering.py — the folder dependency graph of src/ and its check.

Every `#include "FOLDER/name.h"` in src/ (and include/) is an edge from the
including file's folder to FOLDER. The folders sit in LAYERS below, lowest
first; an include may point to its own layer or a lower one, never to a
higher one, and the graph may have no cycle (two folders of one layer that
include each other are a cycle).

    scripts/layering.py [ROOT]            check; exit 1 listing each offending include
    scripts/layering.py --text [ROOT]     the graph, one folder a line, then the check
    scripts/layering.py --dot [ROOT]      the graph in Graphviz dot, then the check
    scripts/layering.py --mermaid [ROOT]  the graph as a mermaid flowchart (docs/architecture.md)
    scripts/layering.py --check-doc FILE [ROOT]  FILE's ```mermaid block is the graph of today's tree
    scripts/layering.py --self-test       the check against small trees it must reject

Exit 0: no cycle, no include upwards. 1: offences, one line each on stderr,
"FILE:LINE includes X, which is above it (A < B)" or "... (cycle: a -> b -> a)".
2: usage, or a folder that includes or is included but has no layer yet.
"""

import io
import os
import re
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout

# The layer order, lowest first: edit here when a folder is added or moved.
# Folders on one line are peers (may include each other, but not in a cycle).
# A folder named here that does not exist (yet) is simply skipped.
LAYERS = [
    ["include"],  # the public plugin ABI (include/mdbench/*.h, spelled "mdbench/x.h")
    ["core"],  # errors, units, RNG, clock, RSS, statistics, strings, atomic files
    ["build", "neigh"],  # system builders, neighbour lists
    ["dev"],  # the device layer (CUDA and the strict host emulation), kernel descriptors
    ["calc"],  # calculators: interface, registry, potentials, their files
    ["md"],  # integrators and ensembles
    ["gpu"],  # the GPU trajectory engine
    ["bench"],  # one case end to end
    ["io", "suite", "analysis"],  # results files; suites and MPI; compare/analyze/regress
    ["cli"],  # the command line: the only layer that prints and exits
]

# An include prefix that is not a folder of src/: the folder it lives in.
ALIASES = {"mdbench": "include"}

SOURCE_EXT = (".c", ".h", ".cu", ".cuh", ".in")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]+"')


def layer_of():
    rank = {}
    for i, folders in enumerate(LAYERS):
        for f in folders:
            rank[f] = i
    return rank


def scan(root):
    """[(from_folder, to_folder, file, line)] for every cross-folder include."""
    edges, folders = [], set()
    trees = [("src", None), ("include", "include")]
    for top, fixed in trees:
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for dirpath, _, files in sorted(os.walk(base)):
            rel = os.path.relpath(dirpath, base)
            folder = fixed or (rel.split(os.sep)[0] if rel != "." else None)
            if folder is None:
                continue
            folders.add(folder)
            for name in sorted(files):
                if not name.endswith(SOURCE_EXT):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    for lineno, text in enumerate(fh, 1):
                        m = INCLUDE_RE.match(text)
                        if not m:
                            continue
                        to = ALIASES.get(m.group(1), m.group(1))
                        if to != folder:
                            edges.append((folder, to, os.path.relpath(path, root), lineno))
    return edges, folders


def graph(edges, folders):
    g = {f: {} for f in folders}
    for a, b, _, _ in edges:
        g.setdefault(a, {}).setdefault(b, 0)
        g[a][b] += 1
        g.setdefault(b, {})
    return g


def cycles(g):
    """Strongly connected components with more than one folder (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(set(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def cycle_path(g, comp, a, b):
    """a -> b -> ... -> a inside one component (breadth first from b)."""
    prev, todo = {b: None}, [b]
    while todo:
        v = todo.pop(0)
        if v == a:
            break
        for w in sorted(g[v]):
            if w in comp and w not in prev:
                prev[w] = v
                todo.append(w)
    path, v = [], a
    while v is not None:
        path.append(v)
        v = prev.get(v)
    return " -> ".join([a] + path[::-1][:-1] + [a]) if a in prev else f"{a} -> {b} -> ... -> {a}"


def check(edges, g, rank):
    """(offence lines, unplaced folders)."""
    unplaced = sorted(f for f in g if f not in rank)
    lines = []
    comps = cycles(g)
    for a, b, path, lineno in edges:
        if a in rank and b in rank and rank[b] > rank[a]:
            names = " < ".join(["/".join(LAYERS[rank[a]]), "/".join(LAYERS[rank[b]])])
            lines.append(f"{path}:{lineno} includes {b}/, which is above it ({names})")
        for comp in comps:
            # a cycle across layers has an include upwards, listed above; one
            # inside a layer is listed edge by edge
            if a in comp and b in comp and len({rank.get(f) for f in comp}) == 1:
                lines.append(f"{path}:{lineno} includes {b}/, which closes a cycle ({cycle_path(g, comp, a, b)})")
    return lines, unplaced


def present(g, rank):
    return [[f for f in folders if f in g] for folders in LAYERS]


def print_text(g, rank):
    print("layer  folder     includes (folders, include lines)")
    for i, folders in enumerate(present(g, rank)):
        for f in folders:
            deps = ", ".join(f"{b} ({n})" for b, n in sorted(g[f].items(), key=lambda t: (rank.get(t[0], 99), t[0])))
            print(f"{i:5d}  {f:10s} {deps or '-'}")


def print_dot(g, rank):
    print("digraph mdbench_src {")
    print("  rankdir=BT; node [shape=box, fontname=monospace];")
    for folders in present(g, rank):
        if folders:
            print("  { rank=same; " + " ".join(f'"{f}";' for f in folders) + " }")
    for a in sorted(g):
        for b in sorted(g[a]):
            print(f'  "{a}" -> "{b}";')
    print("}")


def mermaid(g, rank):
    lines = ["flowchart BT"]
    for a in sorted(g, key=lambda f: (rank.get(f, 99), f)):
        for b in sorted(g[a], key=lambda f: (rank.get(f, 99), f)):
            lines.append(f"  {a} --> {b}")
    return lines


def print_mermaid(g, rank):
    print("\n".join(mermaid(g, rank)))


def check_doc(path, g, rank):
    """0 when the first ```mermaid block of path is the graph, else 1."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        print(f"layering.py: cannot read {path}: {e.strerror}", file=sys.stderr)
        return 2
    m = re.search(r"^```mermaid\n(.*?)^```", text, re.S | re.M)
    if not m:
        print(f"layering.py: {path} has no ```mermaid block", file=sys.stderr)
        return 1
    if m.group(1).splitlines() != mermaid(g, rank):
        print(f"layering.py: the graph in {path} is not the tree's: paste the output of "
              "scripts/layering.py --mermaid into its ```mermaid block", file=sys.stderr)
        return 1
    return 0


def self_test():
    trees = {  # files of a tree -> (exit code, offence lines it must print)
        "upward": ({"src/core/a.c": '#include "calc/calc.h"\n', "src/calc/calc.h": '#include "core/a.h"\n'},
                   1, ["src/core/a.c:1 includes calc/, which is above it (core < calc)"]),
        "cycle": ({"src/io/x.c": '#include "suite/a.h"\n', "src/suite/a.h": '\n#include "io/x.h"\n'},
                  1, ["src/io/x.c:1 includes suite/, which closes a cycle (io -> suite -> io)",
                      "src/suite/a.h:2 includes io/, which closes a cycle (suite -> io -> suite)"]),
        "unplaced": ({"src/zz/a.c": '#include "core/a.h"\n', "src/core/a.h": "\n"}, 2, []),
        "clean": ({"src/cli/m.c": '#include "mdbench/calculator.h"\n#include "core/a.h"\n',
                   "src/core/a.h": '#include "mdbench/calculator.h"\n', "include/mdbench/calculator.h": "\n"}, 0, []),
    }
    failed = 0
    for name, (files, want_rc, want_lines) in trees.items():
        with tempfile.TemporaryDirectory() as root:
            for rel, text in files.items():
                os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
                with open(os.path.join(root, rel), "w") as fh:
                    fh.write(text)
            err = io.StringIO()
            with redirect_stdout(io.StringIO()), redirect_stderr(err):
                rc = main(["layering.py", root])
        lines = [line for line in err.getvalue().splitlines() if not line.startswith("layering.py:")]
        if rc != want_rc or lines != want_lines:
            print(f"layering self-test '{name}': exit {rc} (want {want_rc}), lines {lines} (want {want_lines})")
            failed += 1
    print("layering self-test:", "FAILED" if failed else "ok")
    return 1 if failed else 0


def main(argv):
    modes = {"--text": print_text, "--dot": print_dot, "--mermaid": print_mermaid}
    show, root, doc = None, None, None
    args = iter(argv[1:])
    for arg in args:
        if arg == "--check-doc" and doc is None:
            doc = next(args, None)
            if doc is None:
                print("layering.py: --check-doc needs a FILE", file=sys.stderr)
                return 2
        elif arg in modes and not show:
            show = modes[arg]
        elif arg == "--self-test":
            return self_test()
        elif arg in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif not arg.startswith("-") and root is None:
            root = arg
        else:
            print(f"layering.py: unknown argument '{arg}' (valid: --text, --dot, --mermaid, --check-doc FILE, --self-test, ROOT)", file=sys.stderr)
            return 2
    root = root or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    if not os.path.isdir(os.path.join(root, "src")):
        print(f"layering.py: {root} has no src/ folder", file=sys.stderr)
        return 2
    rank = layer_of()
    edges, folders = scan(root)
    g = graph(edges, folders)
    if doc:
        return check_doc(doc, g, rank)
    if show:
        show(g, rank)
    lines, unplaced = check(edges, g, rank)
    if unplaced:
        print(f"layering.py: folder(s) {', '.join(unplaced)} have no layer: add them to LAYERS in {argv[0]}",
              file=sys.stderr)
        return 2
    for line in lines:
        print(line, file=sys.stderr)
    if lines:
        print(f"layering.py: {len(lines)} include(s) against the layer order (lowest first: "
              + " < ".join("/".join(f) for f in present(g, rank) if f) + ")", file=sys.stderr)
        return 1
    if not show:
        print(f"layering.py: {len(g)} folders, {len(edges)} cross-folder includes, no cycle, none upwards")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
