"""The step graph of a workflow: successors, cycles, reachability and which steps precede which."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mwo.spec.steps import END, ConditionStep, StepBase


@dataclass(frozen=True)
class Edge:
    """From one step to the next; `when` is set for a CONDITION branch, `default` for its else."""

    source: str
    target: str
    when: str | None = None


def edges_of(steps: Sequence[StepBase]) -> list[Edge]:
    """All edges, in order: explicit `next`, CONDITION branches, else the next step in the list."""
    result: list[Edge] = []
    for index, step in enumerate(steps):
        if isinstance(step, ConditionStep):
            result.extend(Edge(step.id, b.goto, b.when) for b in step.branches)
            result.append(Edge(step.id, step.default))
        elif step.next is not None:
            result.append(Edge(step.id, step.next))
        else:
            following = steps[index + 1].id if index + 1 < len(steps) else END
            result.append(Edge(step.id, following))
    return result


class StepGraph:
    """Adjacency of a workflow's steps with the queries the checks and the engine need."""

    def __init__(self, steps: Sequence[StepBase]) -> None:
        self.order = [s.id for s in steps]
        self.edges = edges_of(steps)
        self.successors: dict[str, list[str]] = {sid: [] for sid in self.order}
        for edge in self.edges:
            if edge.target != END and edge.target not in self.successors[edge.source]:
                self.successors[edge.source].append(edge.target)

    @property
    def entry(self) -> str | None:
        return self.order[0] if self.order else None

    def find_cycle(self) -> list[str] | None:
        """A cycle as a list of step ids (first id repeated at the end), or None. Depth-first with an
        explicit stack, not recursion: a chain of thousands of steps must not exhaust Python's stack."""
        white, grey, black = 0, 1, 2
        colour = dict.fromkeys(self.order, white)
        for start in self.order:
            if colour[start] != white:
                continue
            path: list[str] = [start]
            pending: list[list[str]] = [list(reversed(self.successors.get(start, [])))]
            colour[start] = grey
            while path:
                todo = pending[-1]
                if not todo:
                    colour[path.pop()] = black
                    pending.pop()
                    continue
                nxt = todo.pop()
                if colour.get(nxt) == grey:
                    return [*path[path.index(nxt) :], nxt]
                if colour.get(nxt) == white:
                    colour[nxt] = grey
                    path.append(nxt)
                    pending.append(list(reversed(self.successors.get(nxt, []))))
        return None

    def reachable_from(self, start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            node = todo.pop()
            if node in seen or node not in self.successors:
                continue
            seen.add(node)
            todo.extend(self.successors[node])
        return seen

    def ancestors(self, target: str) -> set[str]:
        """Steps from which `target` can be reached: the only ones whose output it may read."""
        predecessors: dict[str, set[str]] = {sid: set() for sid in self.order}
        for source, targets in self.successors.items():
            for t in targets:
                predecessors.setdefault(t, set()).add(source)
        seen: set[str] = set()
        todo = list(predecessors.get(target, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(predecessors.get(node, ()))
        return seen
