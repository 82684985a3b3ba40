"""Each mechanism's transition graph as SVG (Graphviz `dot`), the current state highlighted."""

import functools
import shutil
import subprocess

from django.utils.translation import get_language

from coordination.workflow.transitions import declared_transitions


def _quote(text) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def transition_graph_dot(model, current: str | None = None) -> str:
    states = dict(model._meta.get_field("state").choices)
    lines = [
        "digraph workflow {",
        '  graph [rankdir=LR, bgcolor="transparent", fontname="Noto Sans CJK SC", nodesep=0.35, ranksep=0.5];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#59636e", '
        'fontname="Noto Sans CJK SC", fontsize=12];',
        '  edge [color="#59636e", fontname="Noto Sans CJK SC", fontsize=10];',
    ]
    for value, label in states.items():
        attrs = f"label={_quote(label)}, id={_quote('state-' + value)}"
        if value == current:
            attrs += ', fillcolor="#b3131b", fontcolor="#ffffff", color="#8c0f15", penwidth=2'
        lines.append(f"  {_quote(value)} [{attrs}];")
    for meta in declared_transitions(model).values():
        for source, info in meta.transitions.items():
            targets = getattr(info.target, "allowed_states", None) or [info.target]
            label = info.custom["spec"].label
            for target in targets:
                if source in states and target in states:
                    lines.append(f"  {_quote(source)} -> {_quote(target)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines)


@functools.lru_cache(maxsize=256)
def _render(dot_source: str) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("Graphviz is not installed (Debian package graphviz)")
    result = subprocess.run([dot, "-Tsvg"], input=dot_source, capture_output=True, text=True, timeout=20, check=True)  # noqa: S603
    return result.stdout


def transition_graph_svg(model, current: str | None = None) -> str:
    get_language()  # labels are translated into the active language by transition_graph_dot
    return _render(transition_graph_dot(model, current))
