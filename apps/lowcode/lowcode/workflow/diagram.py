"""A workflow drawn as SVG on the server: states in columns by their distance from the initial state,
transitions as arrows with their action labels. No script and no external service."""

from __future__ import annotations

from collections import deque
from html import escape
from typing import Any

BOX_W, BOX_H, COL_GAP, ROW_GAP, PAD = 150, 40, 90, 26, 20
FILL = {"info": "#e5e7eb", "success": "#dcfce7", "warning": "#fef3c7", "danger": "#fee2e2", "primary": "#dbeafe"}


def render_svg(states: list[dict[str, Any]], transitions: list[dict[str, Any]]) -> str:
    if not states:
        return ""
    names = [s["name"] for s in states]
    start = next((s["name"] for s in states if s.get("is_initial")), names[0])
    depth = {start: 0}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for t in transitions:
            if t["from_state"] == current and t["to_state"] in names and t["to_state"] not in depth:
                depth[t["to_state"]] = depth[current] + 1
                queue.append(t["to_state"])
    unreachable_col = max(depth.values(), default=0) + 1
    columns: dict[int, list[str]] = {}
    for name in names:
        columns.setdefault(depth.get(name, unreachable_col), []).append(name)
    pos = {}
    for col, members in columns.items():
        for row, name in enumerate(members):
            pos[name] = (PAD + col * (BOX_W + COL_GAP), PAD + row * (BOX_H + ROW_GAP))
    width = PAD * 2 + (max(columns) + 1) * (BOX_W + COL_GAP)
    height = PAD * 2 + max(len(m) for m in columns.values()) * (BOX_H + ROW_GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="workflow diagram"><defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" '
        f'refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#475569"/></marker></defs>'
    ]
    for t in transitions:
        if t["from_state"] not in pos or t["to_state"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[t["from_state"]], pos[t["to_state"]]
        ax, ay = x1 + BOX_W, y1 + BOX_H / 2
        bx, by = x2, y2 + BOX_H / 2
        if x2 <= x1:  # backwards or same column: bend below
            ax, ay, bx, by = x1 + BOX_W / 2, y1 + BOX_H, x2 + BOX_W / 2, y2 + BOX_H
            mid_y = max(ay, by) + ROW_GAP / 2
            path = f"M{ax},{ay} C{ax},{mid_y} {bx},{mid_y} {bx},{by}"
            lx, ly = (ax + bx) / 2, mid_y
        else:
            path = f"M{ax},{ay} L{bx},{by}"
            lx, ly = (ax + bx) / 2, (ay + by) / 2 - 3
        label = escape(str(t.get("label_zh") or t["action"]))
        parts.append(f'<path d="{path}" fill="none" stroke="#475569" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{lx}" y="{ly}" text-anchor="middle" fill="#334155">{label}</text>')
    for s in states:
        x, y = pos[s["name"]]
        fill = FILL.get(s.get("colour", "info"), FILL["info"])
        stroke = "#0f172a" if s.get("is_initial") else "#64748b"
        width_attr = 3 if s.get("is_final") else 1
        parts.append(
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width_attr}"/>'
            f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 4}" text-anchor="middle" fill="#0f172a">'
            f"{escape(str(s.get('label_zh') or s['name']))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
