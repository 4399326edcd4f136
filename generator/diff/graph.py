"""Findings and the comparison graph used to attribute them to operations.

Each schema pair is compared once (memoised), so a change inside a shared component is
found once. To still tell the reader which operations it affects, comparisons form a
graph: one root per matched operation, one node per compared `$ref` pair, an edge when one
comparison reaches another. A finding belongs to every operation whose root reaches the
node where it was found; the first edge on the way says where the operation uses it
(`response 200, application/json`), so messages about shared components can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Side = Literal["old", "new"]


@dataclass(slots=True)
class Finding:
    rule: str
    pointer: str
    side: Side
    old: Any = None
    new: Any = None
    operations: set[str] = field(default_factory=set)
    contexts: dict[str, str] = field(default_factory=dict)  # operation -> where it uses it


class Graph:
    def __init__(self) -> None:
        self.findings: dict[tuple[str, str], Finding] = {}
        self._node_findings: list[list[Finding]] = []
        self._placed: set[tuple[int, str, str]] = set()
        self._edges: list[list[tuple[int, str | None]]] = []
        self.current = self.new_node()  # node 0 collects findings outside any operation
        self.context: str | None = None  # where the current comparison sits in its operation

    def new_node(self) -> int:
        self._node_findings.append([])
        self._edges.append([])
        return len(self._edges) - 1

    def edge(self, target: int) -> None:
        if target != self.current:
            self._edges[self.current].append((target, self.context))

    def record(
        self,
        rule: str,
        pointer: str,
        *,
        side: Side = "new",
        old: Any = None,
        new: Any = None,
        operation: str | None = None,
    ) -> None:
        """Record a finding at the current node; one finding per (rule, pointer), placed at
        every node that finds it (a base schema's change is found via each child)."""
        key = (rule, pointer)
        finding = self.findings.get(key)
        if finding is None:
            finding = self.findings[key] = Finding(rule, pointer, side, old, new)
        if (self.current, rule, pointer) not in self._placed:
            self._placed.add((self.current, rule, pointer))
            self._node_findings[self.current].append(finding)
        if operation is not None:
            finding.operations.add(operation)

    def attribute(self, roots: dict[str, int]) -> None:
        """Add each operation to the findings its root node reaches."""
        live = self._nodes_reaching_findings()
        for operation, root in roots.items():
            if root not in live:
                continue
            seen: set[int] = set()
            stack: list[tuple[int, str | None]] = [(root, None)]
            while stack:
                node, context = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                for finding in self._node_findings[node]:
                    finding.operations.add(operation)
                    if context:
                        finding.contexts.setdefault(operation, context)
                for target, inner in reversed(self._edges[node]):
                    if target in live and target not in seen:
                        stack.append((target, context or inner))

    def _nodes_reaching_findings(self) -> set[int]:
        # Walk edges backwards from nodes with findings: only those nodes are worth visiting
        # from each root, which keeps attribution cheap when little changed.
        incoming: list[list[int]] = [[] for _ in self._edges]
        for source, targets in enumerate(self._edges):
            for target, _ in targets:
                incoming[target].append(source)
        live = {node for node, found in enumerate(self._node_findings) if found}
        stack = list(live)
        while stack:
            for source in incoming[stack.pop()]:
                if source not in live:
                    live.add(source)
                    stack.append(source)
        return live
