"""Pictures of a flow (``smflow graph``): Mermaid for pull requests, Graphviz dot for the rest."""

from smflow.graph.model import FlowGraph, build_graph
from smflow.graph.render import render_dot, render_mermaid

__all__ = ["FlowGraph", "build_graph", "render_dot", "render_mermaid"]
