"""The shape of the house (DESIGN.md): no import cycles anywhere, and the dependency direction
between our apps. Read from the source with `ast`, imports inside functions included (a cycle
hidden in a function is still a cycle), so nothing is imported to check it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "accounts", "caching", "comments", "config", "digest", "hardening", "safe_images", "sponsors",
)  # fmt: skip
OPTIONAL = ("newsletter",)
# app -> the apps of ours it may import (DESIGN.md: feature apps depend on digest, never the
# reverse; accounts and safe_images import no other app of ours; infrastructure imports no app).
ALLOWED = {
    "accounts": {"safe_images"},  # avatar uploads are checked and re-encoded there
    "safe_images": set(),
    "hardening": set(),
    "caching": set(),
    "digest": {"accounts", "caching", "hardening", "safe_images"},
    "sponsors": {"accounts", "caching", "digest", "hardening", "safe_images"},
    "newsletter": {"accounts", "caching", "digest", "hardening", "sponsors"},
    "comments": {"accounts", "caching", "digest", "hardening", "newsletter"},
}


def modules():
    """Module name -> path, for every source file of our packages (migrations aside)."""
    found = {}
    for package in (*PACKAGES, *OPTIONAL):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name, path, known):
    """The modules of ours that `name` imports, anywhere in its code."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` imports the module; else the names come from base.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph():
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(root):
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        result.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return result


def test_the_checker_finds_a_cycle_and_a_wrong_direction():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_apps_depend_only_in_the_designed_direction(app):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        if module.split(".")[0] == app
        for target in targets
        if target.split(".")[0] not in {app, "config", *ALLOWED[app]}
    )
    assert not wrong, "\n".join(wrong)
