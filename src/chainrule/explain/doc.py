"""A derivation as a short document (paragraphs and aligned equations), written out as
plain text, Markdown, LaTeX or HTML; and `fold`, which keeps long graphs short."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field

from .formula import Html, Latex, Text, Words, line, render

TEXT, LATEX, HTML = Text(), Latex(), Html()
WIDTH = 100


@dataclass
class Para:
    pieces: list  # Words mixed with math pieces (D, Sym, Num)


@dataclass
class Row:
    """lhs rel rhs, then a note: `∂c/∂a = b = 4    c = a·b`.  rel "=" or "+" (a sum's next term)."""
    lhs: list
    rhs: list
    rel: str = "="
    note: list = field(default_factory=list)


@dataclass
class Skip:
    """Rows left out of a long derivation."""
    count: int
    text: str


@dataclass
class Math:
    rows: list  # Row | Skip


def fold(rows: list, keys: list, noun: str, limit: int = 24, max_period: int = 6, min_reps: int = 3):
    """Collapse runs of items that repeat (the same key, or the same block of up to
    max_period keys) into first block, Skip, last block; then cap the total at `limit`.
    An item is a Row, or a list of rows kept together; the result is flat."""
    out, i, n = [], 0, len(rows)
    while i < n:
        reps, period = 1, 1
        for p in range(1, max_period + 1):
            k = 1
            while i + (k + 1) * p <= n and keys[i + k * p:i + (k + 1) * p] == keys[i:i + p]:
                k += 1
            if k >= min_reps and k * p > reps * period:
                reps, period = k, p
        if reps >= min_reps:
            out += rows[i:i + period]
            out.append(Skip((reps - 2) * period, f"{(reps - 2) * period} more {noun} like these"))
            out += rows[i + (reps - 1) * period:i + reps * period]
            i += reps * period
        else:
            out.append(rows[i])
            i += 1
    if len(out) > limit:
        hidden = sum(r.count if isinstance(r, Skip) else 1 for r in out[limit - 8:-7])
        out = out[:limit - 8] + [Skip(hidden, f"{hidden} more {noun} not shown")] + out[-7:]
    flat = []
    for item in out:
        flat.extend(item if isinstance(item, list) else [item])
    return flat


def elide(items: list, keep: int = 3) -> tuple[list, int]:
    """The first and last `keep` items of a long list, with None where the rest were."""
    if len(items) <= 2 * keep + 1:
        return items, 0
    return items[:keep] + [None] + items[-keep:], len(items) - 2 * keep


# ---- plain text ------------------------------------------------------------------------------

def to_text(doc) -> str:
    out = []
    for block in doc:
        if isinstance(block, Para):
            out.append(textwrap.fill(line(block.pieces, TEXT), WIDTH))
        else:
            out.append(_text_rows(block.rows))
    return "\n\n".join(out)


def _text_rows(rows) -> str:
    cells = [(line(r.lhs, TEXT), r.rel, line(r.rhs, TEXT), line(r.note, TEXT)) for r in rows if isinstance(r, Row)]
    w = max((len(c[0]) for c in cells), default=0)
    rhs_w = min(max((len(c[2]) for c in cells if c[3]), default=0), 60)
    lines, it = [], iter(cells)
    for r in rows:
        if isinstance(r, Skip):
            lines.append(f"  {'':{w}}   … {r.text} …")
            continue
        lhs, rel, rhs, note = next(it)
        text = f"  {lhs:{w}} {rel or ' '} {rhs}"
        if note:
            text = f"{text:{w + rhs_w + 5}}   {note}"
        lines.append(text.rstrip())
    return "\n".join(lines)


# ---- LaTeX and Markdown ------------------------------------------------------------------------

def _latex_row(r) -> str:
    if isinstance(r, Skip):
        return rf"&\quad \vdots\ {LATEX.words(r.text)}"
    note = rf" &&\quad {line(r.note, LATEX)}" if r.note else ""
    return f"{line(r.lhs, LATEX)} &{r.rel} {line(r.rhs, LATEX)}{note}"


def _latex_math(block: Math) -> str:
    return "\\begin{aligned}\n" + " \\\\\n".join(_latex_row(r) for r in block.rows) + "\n\\end{aligned}"


def to_latex(doc) -> str:
    parts = [line(b.pieces, LATEX) if isinstance(b, Para) else _latex_math(b) for b in doc]
    return "$$\n\\begin{array}{l}\n" + " \\\\[6pt]\n".join(parts) + "\n\\end{array}\n$$"


def to_markdown(doc) -> str:
    out = []
    for block in doc:
        if isinstance(block, Para):
            out.append("".join(p.text if isinstance(p, Words) else f"${render(p, LATEX)}$"
                               for p in block.pieces))
        else:
            out.append("$$\n" + _latex_math(block) + "\n$$")
    return "\n\n".join(out)


# ---- HTML ------------------------------------------------------------------------------------

def to_html(doc) -> str:
    out = ['<div class="derivation">']
    for block in doc:
        if isinstance(block, Para):
            out.append(f"<p>{line(block.pieces, HTML)}</p>")
            continue
        out.append('<table class="eq">')
        for r in block.rows:
            if isinstance(r, Skip):
                out.append(f'<tr class="skip"><td></td><td></td><td colspan="2">… {html.escape(r.text)} …'
                           "</td></tr>")
            else:
                out.append(f'<tr><td class="lhs">{line(r.lhs, HTML)}</td><td class="rel">{html.escape(r.rel)}</td>'
                           f'<td class="rhs">{line(r.rhs, HTML)}</td><td class="note">{line(r.note, HTML)}</td></tr>')
        out.append("</table>")
    out.append("</div>")
    return "\n".join(out)

