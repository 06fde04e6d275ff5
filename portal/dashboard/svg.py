"""Charts drawn on the server as SVG: no JavaScript, readable Chinese labels, an accessible title
and description on each, and the same numbers always in a table next to it (the templates).

Every text that goes into the SVG is escaped here; labels may come from users (names of places).
The punctuation of the titles and descriptions ("待受理：6；已分拣：3") is the catalog's
(`portal.punctuation`).
"""
from __future__ import annotations

from markupsafe import Markup, escape

from portal.punctuation import join_groups, join_items, labelled

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
INK = "#1f2328"
MUTED = "#57606a"
COLORS = {
    "primary": "#1f5fa8", "secondary": "#8fb3de", "green": "#2e7d32", "yellow": "#b7791f",
    "red": "#c62828", "grey": "#8c959f",
}


def _short(label: str, limit: int) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _frame(chart_id: str, title, description: str, width: int, height: int, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
            f'font-family="{FONT}" font-size="14" fill="{INK}">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(chart_id: str, title, items: list[tuple[str, int]], *, color: str = "primary",
              colors: list[str] | None = None, label_width: int = 170, width: int = 560) -> Markup:
    """Horizontal bars, one per (label, value), largest value scaled to the width."""
    row, top = 30, 8
    height = top * 2 + row * max(len(items), 1)
    biggest = max((v for _l, v in items), default=0) or 1
    room = width - label_width - 60
    body = []
    if not items:
        body.append(f'<text x="8" y="{top + 18}" fill="{MUTED}">—</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        fill = COLORS[(colors[i] if colors else color)]
        length = max(round(room * value / biggest), 1 if value else 0)
        body.append(
            f'<g><title>{escape(labelled(label, value))}</title>'
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end">{escape(_short(label, 11))}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{length}" height="{row - 10}" rx="3" fill="{fill}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 19}">{value}</text></g>')
    description = join_groups(labelled(label, value) for label, value in items)
    return _frame(chart_id, title, description, width, height, body)


def column_chart(chart_id: str, title, labels: list[str], series: list[tuple[str, list[int], str]], *,
                 width: int = 720, height: int = 260) -> Markup:
    """Grouped columns: one group per label (e.g. month), one column per series (name, values, color),
    with a legend."""
    left, right, top, bottom = 44, 8, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((v for _n, values, _c in series for v in values), default=0) or 1
    group = plot_w / max(len(labels), 1)
    bar = max(min(group * 0.8 / max(len(series), 1), 28), 2)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{MUTED}"/>',
            f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="12" fill="{MUTED}">{biggest}</text>',
            f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="12" fill="{MUTED}">0</text>']
    x = left
    for name, _values, color in series:
        body.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{COLORS[color]}"/>'
                    f'<text x="{x + 20}" y="18" font-size="13">{escape(name)}</text>')
        x += 40 + 14 * len(str(name))
    for i, label in enumerate(labels):
        gx = left + i * group + (group - bar * len(series)) / 2
        for j, (name, values, color) in enumerate(series):
            value = values[i]
            h = plot_h * value / biggest
            body.append(f'<rect x="{gx + j * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                        f'height="{h:.1f}" fill="{COLORS[color]}"><title>{escape(labelled(f"{label} {name}", value))}'
                        f'</title></rect>')
        body.append(f'<text x="{left + i * group + group / 2:.1f}" y="{height - bottom + 18}" '
                    f'text-anchor="middle" font-size="12">{escape(label)}</text>')
    description = join_groups(
        labelled(label, join_items(f"{name} {values[i]}" for name, values, _c in series))
        for i, label in enumerate(labels))
    return _frame(chart_id, title, description, width, height, body)
