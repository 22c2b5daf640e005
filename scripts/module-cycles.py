#!/usr/bin/env python3
"""Module import cycles inside each crate of the workspace.

An edge A -> B means a file of module A names an item of module B: a `use`
of `crate::`, `super::`, `self::` or child-module paths, or such a path
written inline (`crate::compress::Compression::None`). A path that ends at
a re-export (`pub use x::Name` in lib.rs or a mod.rs) is followed to the
module that defines the name, so that `use crate::Segment` counts as an
import of `segment`, not of the crate root. `mod child;` itself is not an
edge. Cycles are the strongly connected components with more than one
module. Crates cannot form cycles between them (Cargo forbids it).

Usage: scripts/module-cycles.py [CRATE_SRC_DIR...]   (exit 1 on a cycle)
"""
import os
import re
import sys

DEFAULT = ["tcpopt-parse/src", "cli/src", "web/src", "bench/src"]
# `--api`: count a `pub use` re-export (a parent publishing its child's
# items) as an import too. Without it, a re-export only redirects paths.
REEXPORTS_ARE_EDGES = "--api" in sys.argv


def modules(src):
    """module path (tuple) -> file, for every .rs file under src."""
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), src)
            parts = rel[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            if parts and parts[0] == "bin":
                continue  # binaries are crates of their own
            mods[tuple(parts)] = os.path.join(root, f)
    return mods


def strip(text):
    """Code only: no comments, no string contents, no inline test modules
    (their `super::*` is the file's own module)."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text)
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{", text)
        if not m:
            return text
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        text = text[: m.start()] + text[i:]


def expand_use(body):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    body = body.strip()
    m = re.match(r"^(.*?)\{(.*)\}$", body, flags=re.S)
    if not m:
        return [body.split(" as ")[0].strip()]
    prefix, inner = m.group(1), m.group(2)
    out, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            out += expand_use(prefix + cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    if cur.strip():
        out += expand_use(prefix + cur)
    return out


def paths_of(text):
    """Every path a file uses: `use` trees and inline `x::y::z` paths."""
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        paths += [p for p in expand_use(m.group(1)) if p]
    paths += re.findall(r"\b((?:crate|super|self|[a-z_][a-z0-9_]*)(?:::[A-Za-z_][A-Za-z0-9_]*)+)", text)
    return paths


def resolve(mods, here, path):
    """The module a path of module `here` names, or None (external)."""
    segs = [s.strip() for s in path.split("::") if s.strip()]
    if not segs:
        return None
    if segs[0] == "crate":
        base, segs = (), segs[1:]
    elif segs[0] == "super":
        base = here
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
    elif segs[0] == "self":
        base, segs = here, segs[1:]
    elif here + (segs[0],) in mods:
        base = here
    elif (segs[0],) in mods and here == ():
        base = ()
    else:
        return None
    cur = base
    for s in segs:
        if cur + (s,) in mods:
            cur = cur + (s,)
        else:
            return cur, s
    return cur, None


def main():
    srcs = [a for a in sys.argv[1:] if not a.startswith("--")] or DEFAULT
    found = False
    for src in srcs:
        mods = modules(src)
        texts = {m: strip(open(f).read()) for m, f in mods.items()}
        # Re-exports: (module, Name) -> module that the `pub use` points at.
        reexport = {}
        for m, t in texts.items():
            for u in re.finditer(r"\bpub(?:\([a-z]+\))?\s+use\s+([^;]+);", t):
                for p in expand_use(u.group(1)):
                    name = p.split("::")[-1].split(" as ")[-1].strip()
                    r = resolve(mods, m, p)
                    if r and r[0] != m:
                        reexport[(m, name)] = r[0]
        edges = {m: set() for m in mods}
        for m, t in texts.items():
            if not REEXPORTS_ARE_EDGES:
                t = re.sub(r"\bpub(?:\([a-z]+\))?\s+use\s+[^;]+;", "", t)
            for p in paths_of(t):
                r = resolve(mods, m, p)
                if not r:
                    continue
                target, name = r
                seen = set()
                while name and (target, name) in reexport and (target, name) not in seen:
                    seen.add((target, name))
                    target = reexport[(target, name)]
                if target != m:
                    edges[m].add(target)
        # Tarjan's strongly connected components.
        index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]

        def visit(v):
            index[v] = low[v] = n[0]
            n[0] += 1
            stack.append(v)
            on.add(v)
            for w in edges[v]:
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.remove(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    sccs.append(comp)

        sys.setrecursionlimit(10000)
        for v in mods:
            if v not in index:
                visit(v)
        name = lambda m: "::".join(m) or "crate"
        nedges = sum(len(e) for e in edges.values())
        print(f"{src}: {len(mods)} modules, {nedges} edges, {len(sccs)} cycles")
        for comp in sccs:
            found = True
            members = set(comp)
            print("  cycle: " + ", ".join(sorted(name(m) for m in comp)))
            for m in sorted(comp):
                for w in sorted(edges[m] & members):
                    print(f"    {name(m)} -> {name(w)}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
