#!/usr/bin/env python3
"""Checks the include rules of docs/architecture.md: kernels/ includes nothing
from src/; a folder of src/ includes only its own headers, kernels/ and the
folders below it (util < config < data < engine < analysis < io < cli);
includes of project headers are written from the project root; and no header
includes itself through others. Usage: check_includes.py [PROJECT_ROOT]"""
import os
import re
import sys

ORDER = ["util", "config", "data", "engine", "analysis", "io", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main(root):
    problems = []
    graph = {}
    for top in ("src", "kernels"):
        for folder, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".hpp", ".cpp", ".cu")):
                    continue
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                here = rel.split("/")[1] if top == "src" else "kernels"
                graph[rel] = []
                for inc in INCLUDE.findall(text):
                    if inc == "version.hpp":  # generated at build time
                        continue
                    if top == "kernels":
                        if inc.startswith("src/") or "../src/" in inc:
                            problems.append(f"{rel}: kernels/ includes a src/ header: {inc}")
                        target = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
                    elif inc.startswith(("src/", "kernels/")):
                        target = inc
                    else:
                        problems.append(f"{rel}: include \"{inc}\" is not written from the project root")
                        continue
                    if not os.path.exists(os.path.join(root, target)):
                        problems.append(f"{rel}: includes {inc}, which does not exist")
                        continue
                    graph[rel].append(target)
                    there = target.split("/")[1] if target.startswith("src/") else "kernels"
                    if top == "src" and there not in ("kernels", here):
                        if here not in ORDER or there not in ORDER or ORDER.index(there) > ORDER.index(here):
                            problems.append(f"{rel}: src/{here}/ may not include src/{there}/ ({inc})")
    # No header reaches itself.
    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                problems.append("include cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    for p in problems:
        print(p)
    print(f"{len(graph)} files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")))
