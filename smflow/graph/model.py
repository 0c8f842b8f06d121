"""A flow as a graph: nodes (steps, calls, waits, conditions, gates) and edges (sequence,
branches, undo registrations, failure paths), independent of any drawing syntax.

Why a model between the AST and the renderers: Mermaid and dot differ only in syntax; what is
connected to what (a step's failure edge to ``on failure``, ``rollback`` to every undo block)
is decided once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from smflow.dsl import ast
from smflow.graph.summary import summarize, truncate

__all__ = ["Edge", "FlowGraph", "GraphNode", "Group", "build_graph"]

Shape = Literal["terminal", "call", "wait", "decision", "gate", "note", "failure", "rollback", "undo"]
EdgeKind = Literal["next", "yes", "no", "undo", "fails", "rollback"]


@dataclass
class GraphNode:
    id: str
    label: str
    shape: Shape


@dataclass
class Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""


@dataclass
class Group:
    """A box around the nodes of one step (or of the failure handler)."""

    id: str
    label: str
    nodes: list[str] = field(default_factory=list)


@dataclass
class FlowGraph:
    title: str
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    def add(self, node: GraphNode, group: Group | None) -> str:
        self.nodes[node.id] = node
        if group is not None:
            group.nodes.append(node.id)
        return node.id


class _Builder:
    def __init__(self, flow: ast.Flow, procs: frozenset[str]) -> None:
        self.flow = flow
        self.procs = procs  # names of the procs the flow can call: drawn as "proc NAME"
        self.graph = FlowGraph(title=flow.name)
        self.counter = 0
        self.undo_nodes: list[str] = []

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def node(self, prefix: str, label: str, shape: Shape, group: Group | None) -> str:
        return self.graph.add(GraphNode(self.new_id(prefix), truncate(label), shape), group)

    def body(self, stmts: tuple[ast.Stmt, ...], group: Group, entry: list[tuple[str, EdgeKind]]) -> list[tuple[str, EdgeKind]]:
        """Lay out ``stmts`` in sequence; ``entry`` are the open ends to connect to the first
        node. Returns the open ends after the last statement."""
        ends = entry
        for stmt in stmts:
            ends = self.stmt(stmt, group, ends)
        return ends

    def connect(self, ends: list[tuple[str, EdgeKind]], target: str) -> None:
        for source, kind in ends:
            self.graph.edges.append(Edge(source, target, kind, {"yes": "yes", "no": "no"}.get(kind, "")))

    def stmt(self, stmt: ast.Stmt, group: Group, ends: list[tuple[str, EdgeKind]]) -> list[tuple[str, EdgeKind]]:
        match stmt:
            case ast.CallStmt():
                prefix = "proc " if stmt.call.name in self.procs else ""
                nid = self.node("c", prefix + stmt.call.name, "call", group)
            case ast.AssignStmt():
                prefix = "proc " if isinstance(stmt.value, ast.Call) and stmt.value.name in self.procs else ""
                nid = self.node("a", f"{stmt.name} = {prefix}{summarize(stmt.value)}", "call", group)
            case ast.WaitStmt():
                every = f" every {ast.duration_text(stmt.every)}" if stmt.every else ""
                timeout = f" timeout {ast.duration_text(stmt.timeout)}" if stmt.timeout else ""
                nid = self.node("w", f"wait until {summarize(stmt.condition)}{every}{timeout}", "wait", group)
            case ast.AssertStmt():
                nid = self.node("q", f"assert {summarize(stmt.condition)}", "decision", group)
            case ast.ConfirmStmt():
                nid = self.node("g", f"confirm {summarize(stmt.message)}", "gate", group)
            case ast.LogStmt():
                nid = self.node("l", f"log {summarize(stmt.message)}", "note", group)
            case ast.RollbackStmt():
                nid = self.node("r", "rollback", "rollback", group)
                for undo in reversed(self.undo_nodes):
                    self.graph.edges.append(Edge(nid, undo, "rollback", "runs"))
            case ast.UndoStmt():
                label = "undo: " + "; ".join(_stmt_label(s) for s in stmt.body)
                uid = self.node("u", label, "undo", None)
                self.undo_nodes.append(uid)
                anchor = ends[0][0] if ends else group.id
                self.graph.edges.append(Edge(anchor, uid, "undo", "undo"))
                return ends
            case ast.ForStmt():
                # A loop inside a step: the body hangs off the loop node and returns to it.
                loop = self.node("d", f"for each {stmt.var} in {summarize(stmt.items)}", "decision", group)
                self.connect(ends, loop)
                body_ends = self.body(stmt.body, group, [(loop, "yes")])
                self.connect(body_ends, loop)
                return [(loop, "no")]
            case ast.IfStmt():
                cond = self.node("d", summarize(stmt.condition), "decision", group)
                self.connect(ends, cond)
                then_ends = self.body(stmt.then, group, [(cond, "yes")])
                else_ends = self.body(stmt.orelse, group, [(cond, "no")])
                return then_ends + else_ends
        self.connect(ends, nid)
        return [(nid, "next")]

    def outputs(self, ends: list[tuple[str, EdgeKind]]) -> list[tuple[str, EdgeKind]]:
        """The declared outputs, evaluated once the last step succeeded: one box after the steps."""
        if not self.flow.outputs:
            return ends
        group = Group("outputs", "outputs")
        self.graph.groups.append(group)
        for out in self.flow.outputs:
            nid = self.node("o", f"output {out.name} = {summarize(out.value)}", "note", group)
            self.connect(ends, nid)
            ends = [(nid, "next")]
        return ends

    def build(self) -> FlowGraph:
        start = self.graph.add(GraphNode("start", self.flow.name, "terminal"), None)
        ends: list[tuple[str, EdgeKind]] = [(start, "next")]
        step_groups: list[Group] = []
        loops = {id(s): item for item in self.flow.steps if isinstance(item, ast.StepLoop) for s in item.body}
        for index, step in enumerate(ast.flat_steps(self.flow.steps), 1):
            extras = []
            loop = loops.get(id(step))
            if loop is not None:  # a step of a loop around steps: once per item
                limit = f" max {summarize(loop.limit)}" if loop.parallel and loop.limit is not None else ""
                extras.append(f"{'parallel ' if loop.parallel else ''}for {loop.var} in {summarize(loop.items)}"
                              f"{limit}")
            if step.timeout:
                extras.append(f"timeout {ast.duration_text(step.timeout)}")
            label = f"{index}. {step.name}" + (f" ({', '.join(extras)})" if extras else "")
            group = Group(f"s{index}", truncate(label))
            self.graph.groups.append(group)
            step_groups.append(group)
            ends = self.body(step.body, group, ends)
            if not group.nodes:  # an empty step still shows up as a box
                self.node("e", "(nothing)", "note", group)
                self.connect(ends, group.nodes[0])
                ends = [(group.nodes[0], "next")]
        ends = self.outputs(ends)
        done = self.graph.add(GraphNode("done", "succeeded", "terminal"), None)
        self.connect(ends, done)
        if self.flow.on_failure is not None:
            failure = Group("onfail", "on failure")
            self.graph.groups.append(failure)
            entry = self.node("f", "a step failed", "failure", failure)
            for group in step_groups:
                self.graph.edges.append(Edge(group.id, entry, "fails", "fails"))
            self.body(self.flow.on_failure.body, failure, [(entry, "next")])
        return self.graph


def _stmt_label(stmt: ast.Stmt) -> str:
    match stmt:
        case ast.CallStmt():
            return stmt.call.name
        case ast.AssignStmt():
            return f"{stmt.name} = {summarize(stmt.value)}"
        case ast.LogStmt():
            return "log"
    return type(stmt).__name__.removesuffix("Stmt").lower()


def build_graph(flow: ast.Flow, procs: frozenset[str] | None = None) -> FlowGraph:
    """``procs``: the names of the procs ``flow`` can call (its own by default; the CLI passes
    those of its used files too)."""
    return _Builder(flow, procs if procs is not None else frozenset(p.name for p in flow.procs)).build()
