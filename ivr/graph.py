"""Load-time checks of a flow's shape: references, reachability and loops.

The loop rule: every cycle must contain an edge taken only on caller input (a menu choice,
or a valid value at a collect node). A cycle made only of other edges — `next`, branch
outcomes, a menu's `on_exhausted`, a collect's `on_invalid`, time-outs — could spin with
a silent caller, so it is rejected, naming its nodes.

This rule also proves every walk can end: a set of nodes none of which can reach an
ending node would contain a cycle of non-input edges, because every node that cannot
end has at least one such edge (menus have `on_exhausted`, collects `on_invalid`, other
types only have those). So there is no separate "must terminate" search.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from ivr.nodes import NodeBase


@dataclass(frozen=True, slots=True)
class GraphReport:
    errors: list[str]
    warnings: list[str]  # unreachable nodes: harmless, maybe a leftover or work in progress


def check_graph(start: str, nodes: Mapping[str, NodeBase]) -> GraphReport:
    """Every problem with the flow's shape, each prefixed with its key path."""
    errors = _missing_references(start, nodes)
    if errors:
        return GraphReport(errors, [])
    reached = _reachable(start, nodes)
    warnings = [
        f"nodes.{node_id}: not reachable from start {start!r}"
        for node_id in nodes
        if node_id not in reached
    ]
    errors = [
        f"nodes.{cycle[0]}: loop {' → '.join([*cycle, cycle[0]])} never waits for caller input"
        " and could run forever (a menu choice or a collected value must be on the way)"
        for cycle in _cycles_without_input(nodes)
    ]
    return GraphReport(errors, warnings)


def _missing_references(start: str, nodes: Mapping[str, NodeBase]) -> list[str]:
    def unknown(where: str, target: str) -> str:
        close = difflib.get_close_matches(target, list(nodes), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{where}: no node {target!r}{hint}"

    errors = [] if start in nodes else [unknown("start", start)]
    for node_id, node in nodes.items():
        errors.extend(
            unknown(f"nodes.{node_id}.{edge.key}", edge.target)
            for edge in node.edges()
            if edge.target not in nodes
        )
    return errors


def _reachable(start: str, nodes: Mapping[str, NodeBase]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for edge in nodes[todo.pop()].edges():
            if edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    return seen


def _cycles_without_input(nodes: Mapping[str, NodeBase]) -> list[list[str]]:
    """One cycle per back edge found by a depth-first walk over non-input edges."""
    successors = {
        node_id: [edge.target for edge in node.edges() if not edge.by_input]
        for node_id, node in nodes.items()
    }
    done: set[str] = set()
    cycles: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()
    for root in nodes:
        if root in done:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_stack = {root}
        while stack:
            node_id, index = stack[-1]
            following = successors[node_id]
            if index == len(following):
                stack.pop()
                on_stack.discard(node_id)
                done.add(node_id)
                continue
            stack[-1] = (node_id, index + 1)
            target = following[index]
            if target in on_stack:
                ids = [entry for entry, _ in stack]
                cycle = ids[ids.index(target):]
                if frozenset(cycle) not in seen_cycles:
                    seen_cycles.add(frozenset(cycle))
                    cycles.append(cycle)
            elif target not in done:
                stack.append((target, 0))
                on_stack.add(target)
    return cycles
