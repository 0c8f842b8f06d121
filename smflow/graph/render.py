"""Mermaid and Graphviz dot text for a ``FlowGraph``.

Mermaid output is written for GitHub, which renders a fenced ```` ```mermaid ```` block in a
pull request as it is: labels are always quoted and the characters Mermaid treats specially
inside quotes are written as its ``#name;`` entities.
"""

from __future__ import annotations

from smflow.graph.model import Edge, FlowGraph, GraphNode

__all__ = ["render_dot", "render_mermaid"]

_MERMAID_SHAPES = {
    "terminal": ('(["', '"])'),
    "call": ('["', '"]'),
    "wait": ('{{"', '"}}'),
    "decision": ('{"', '"}'),
    "gate": ('[/"', '"/]'),
    "note": ('>"', '"]'),
    "failure": ('[["', '"]]'),
    "rollback": ('[["', '"]]'),
    "undo": ('["', '"]'),
}
_MERMAID_ARROWS = {"next": "-->", "yes": "-->", "no": "-->", "undo": "-.->", "fails": "-.->", "rollback": "-.->"}

_DOT_SHAPES = {
    "terminal": "oval",
    "call": "box",
    "wait": "hexagon",
    "decision": "diamond",
    "gate": "parallelogram",
    "note": "note",
    "failure": "doubleoctagon",
    "rollback": "box3d",
    "undo": "box",
}


def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _mermaid_node(node: GraphNode) -> str:
    left, right = _MERMAID_SHAPES[node.shape]
    return f"{node.id}{left}{_mermaid_text(node.label)}{right}"


def _mermaid_edge(edge: Edge) -> str:
    arrow = _MERMAID_ARROWS[edge.kind]
    label = f"|{_mermaid_text(edge.label)}|" if edge.label else ""
    return f"    {edge.source} {arrow}{label} {edge.target}"


def render_mermaid(graph: FlowGraph) -> str:
    lines = ["flowchart TD"]
    grouped = {nid for g in graph.groups for nid in g.nodes}
    for node in graph.nodes.values():
        if node.id not in grouped:
            lines.append("    " + _mermaid_node(node))
    for group in graph.groups:
        lines.append(f'    subgraph {group.id}["{_mermaid_text(group.label)}"]')
        lines.append("        direction TB")
        for nid in group.nodes:
            lines.append("        " + _mermaid_node(graph.nodes[nid]))
        lines.append("    end")
    lines.extend(_mermaid_edge(e) for e in graph.edges)
    undo = [n.id for n in graph.nodes.values() if n.shape == "undo"]
    if undo:
        lines.append("    classDef undo stroke-dasharray: 5 5")
        lines.append(f"    class {','.join(undo)} undo")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_dot(graph: FlowGraph) -> str:
    lines = [
        f'digraph "{_dot_text(graph.title)}" {{',
        "    rankdir=TB; compound=true;",
        '    node [fontname="Helvetica", fontsize=11]; edge [fontname="Helvetica", fontsize=10];',
    ]
    groups = {g.id: g for g in graph.groups}
    grouped = {nid for g in graph.groups for nid in g.nodes}

    def node_line(node: GraphNode) -> str:
        style = ', style="dashed"' if node.shape == "undo" else ""
        return f'{node.id} [label="{_dot_text(node.label)}", shape={_DOT_SHAPES[node.shape]}{style}];'

    for node in graph.nodes.values():
        if node.id not in grouped:
            lines.append("    " + node_line(node))
    for group in graph.groups:
        lines.append(f"    subgraph cluster_{group.id} {{")
        lines.append(f'        label="{_dot_text(group.label)}";')
        lines.extend("        " + node_line(graph.nodes[nid]) for nid in group.nodes)
        lines.append("    }")
    for edge in graph.edges:
        attrs = []
        source, target = edge.source, edge.target
        if source in groups:  # an edge from a whole step: leave from its last node, clipped to the box
            attrs.append(f"ltail=cluster_{source}")
            source = groups[source].nodes[-1]
        if edge.label:
            attrs.append(f'label="{_dot_text(edge.label)}"')
        if edge.kind in ("undo", "fails", "rollback"):
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {source} -> {target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
