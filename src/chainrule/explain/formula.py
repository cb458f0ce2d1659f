"""Pieces of a derivation and how each output format writes them.

A math line is a list of pieces: Sym (a tensor's name), Num (a value), D (a partial
derivative ∂y/∂x), Formula (an op's declared text, e.g. mul's "b", with its input names
bound to the caller's names or to numbers), Op (an operator or shape: "=", "·", "[2×1]")
and Words (prose).  Text, LaTeX and HTML each turn pieces into strings.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np

SMALL = 6  # arrays with at most this many elements are written out in full
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|.", re.DOTALL)
_FOLD = re.compile(r"\{(-?[\d.]+)([+-])([\d.]+)\}")  # a^{2-1} once n = 2 is plugged in
_SUP = re.compile(r"\^\{([^{}]*)\}")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPT = re.compile(r"[₀₁₂₃₄₅₆₇₈₉]+")


@dataclass(frozen=True)
class Sym:
    name: str


@dataclass(frozen=True)
class Num:
    value: object  # a float, or an array
    digits: int = 4
    parens: bool = False  # inside a formula a negative number needs them: -(-3)


@dataclass(frozen=True)
class D:
    of: str
    wrt: str
    tag: str | None = None  # the op's input name, when one op uses the same tensor twice (a·a)


@dataclass(frozen=True)
class Formula:
    tex: str
    table: tuple  # ((token, Sym | Num), ...)


@dataclass(frozen=True)
class Op:
    text: str


@dataclass(frozen=True)
class Words:
    text: str


def number(v, digits: int = 4) -> str:
    """1, 0.9988, 6.701, 1.235e+05: a few significant digits, no trailing zeros."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    text = f"{float(v):.{digits}g}"
    return "0" if text == "-0" else text


def array_text(a, digits: int = 4) -> str:
    """A small array in full on one line; a big one as its shape and first values."""
    a = np.asarray(a)
    if a.ndim == 0:
        return number(a.item(), digits)
    if a.size <= SMALL:
        text = np.array2string(a, separator=", ", formatter={"all": lambda v: number(v, digits)})
        return " ".join(text.split())
    head = ", ".join(number(v, digits) for v in a.reshape(-1)[:3].tolist())
    return f"{shape_text(a.shape)} [{head}, …]"


def shape_text(shape) -> str:
    return "[" + "×".join(str(n) for n in shape) + "]"


# ---- formats -------------------------------------------------------------------------------

class Text:
    """Plain Unicode text: ∂e/∂a = ∂e/∂c·∂c/∂a."""
    name = "text"

    def sym(self, name):
        return name

    def num(self, p: Num):
        text = array_text(p.value, p.digits)
        return f"({text})" if p.parens and text.startswith("-") else text

    def d(self, p: D):
        return f"∂{p.of}/∂{p.wrt}" + (f"[{p.tag}]" if p.tag else "")

    def op(self, text):
        return text

    def words(self, text):
        return text

    def word(self, w, call=False):  # a word of an op's formula that names nothing: sin, if, at...
        return w

    def char(self, c):
        return c

    def finish(self, s):
        return _SUP.sub(_text_power, s)

    def piece(self, p):
        return render(p, self)


def _unwrap(x: str) -> str:
    """A plugged-in negative number needs no parentheses as an exponent: e^{(-3)}."""
    return x[1:-1] if re.fullmatch(r"\(-?[\d.]+\)", x) else x


def _text_power(m) -> str:
    x = _unwrap(m.group(1))
    if re.fullmatch(r"-?\d+", x):
        return x.translate(_SUPERSCRIPT)
    return "^" + (x if re.fullmatch(r"[\w.ᵀ₀-₉]+", x) else f"({x})")


_LATEX_CHARS = {
    "·": r" \cdot ", "σ": r"\sigma ", "ᵀ": r"^{\top}", "²": "^{2}", "³": "^{3}", "√": r"\sqrt ",
    "≤": r" \le ", "≥": r" \ge ", "⊙": r" \odot ", "⊗": r" \otimes ", "Σ": r"\sum ", "α": r"\alpha ",
    "β": r"\beta ", "γ": r"\gamma ", "δ": r"\delta ", "λ": r"\lambda ", "φ": r"\varphi ", "Φ": r"\Phi ",
    "π": r"\pi ", "‖": r"\| ", "⌊": r"\lfloor ", "⌋": r"\rfloor ", "⋆": r"\star ", "∞": r"\infty ",
    "…": r"\dots ", "←": r"\leftarrow ", "×": r"\times ", "ˣ": "^{x}", "ˢ": "^{s}", "\u0302": "",
    "%": r"\%", "#": r"\#", "&": r"\&", **{chr(0x2080 + k): f"_{{{k}}}" for k in range(10)},
}
_LATEX_FUNCS = {"sin", "cos", "tan", "tanh", "sinh", "cosh", "log", "ln", "exp", "max", "min"}


class Latex:
    """LaTeX math (for _repr_latex_ and Markdown's $$ blocks)."""
    name = "latex"

    def sym(self, name):
        def sub(m):
            return "_{" + m.group(0).translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")) + "}"
        base = _SUBSCRIPT.sub("", name)
        tail = "".join(sub(m) for m in _SUBSCRIPT.finditer(name))
        base = base.replace("_", r"\_")
        return (base if len(base) == 1 else rf"\mathrm{{{base}}}") + tail

    def num(self, p: Num):
        text = Text().num(p)
        return re.sub(r"(\d)e([+-])0*(\d+)", lambda m: rf"{m.group(1)}\times 10^{{{'-' if m.group(2) == '-' else ''}"
                      rf"{m.group(3)}}}", text).replace("…", r"\dots ").replace("×", r"\times ")

    def d(self, p: D):
        frac = rf"\frac{{\partial {self.sym(p.of)}}}{{\partial {self.sym(p.wrt)}}}"
        return frac + (rf"\big|_{{{self.sym(p.tag)}}}" if p.tag else "")

    def op(self, text):
        text = re.sub(r"Σ_([\w,]+)", lambda m: r"\sum_{\text{" + m.group(1) + "}}", text)
        return "".join(_LATEX_CHARS.get(c, c) for c in text)

    def words(self, text):
        return r"\text{" + text.replace("\\", "").replace("{", r"\{").replace("}", r"\}").replace("_", r"\_") + "}"

    def word(self, w, call=False):
        if w in _LATEX_FUNCS:
            return "\\" + w + " "
        if len(w) == 1:
            return w
        return rf"\operatorname{{{w}}}" if call else rf"\text{{ {w} }}"

    def char(self, c):
        return _LATEX_CHARS.get(c, c)

    def finish(self, s):
        return s

    def piece(self, p):
        return render(p, self)


class Html:
    """HTML for the tour report: Unicode text with <sup> powers and <var> names."""
    name = "html"

    def sym(self, name):
        return f"<var>{html.escape(name)}</var>"

    def num(self, p: Num):
        return html.escape(Text().num(p))

    def d(self, p: D):
        tag = f"<sub>[{html.escape(p.tag)}]</sub>" if p.tag else ""
        return f'<span class="d">∂{self.sym(p.of)}/∂{self.sym(p.wrt)}{tag}</span>'

    def op(self, text):
        return re.sub(r"Σ_([\w,]+)", r"Σ<sub>\1</sub>", html.escape(text))

    def words(self, text):
        return f'<span class="words">{html.escape(text)}</span>'

    def word(self, w, call=False):
        return html.escape(w)

    def char(self, c):
        return html.escape(c)

    def finish(self, s):
        return _SUP.sub(lambda m: f"<sup>{_unwrap(m.group(1))}</sup>", s)

    def piece(self, p):
        return render(p, self)


def render(p, fmt) -> str:
    if isinstance(p, Sym):
        return fmt.sym(p.name)
    if isinstance(p, Num):
        return fmt.num(p)
    if isinstance(p, D):
        return fmt.d(p)
    if isinstance(p, Formula):
        return formula(p, fmt)
    if isinstance(p, Op):
        return fmt.op(p.text)
    if isinstance(p, Words):
        return fmt.words(p.text)
    raise TypeError(f"not a piece of a derivation: {p!r}")


def formula(p: Formula, fmt) -> str:
    """An op's declared formula with its input names bound: mul's "b" -> "4" or "weights"."""
    table = dict(p.table)
    out = []
    for m in TOKEN.finditer(p.tex):
        tok = m.group(0)
        if tok in table:
            out.append(render(table[tok], fmt))
        elif tok[0].isascii() and (tok[0].isalpha() or tok[0] == "_"):
            out.append(fmt.word(tok, call=p.tex.startswith("(", m.end())))
        else:
            out.append(tok if tok[0].isdigit() else fmt.char(tok))
    s = "".join(out)
    s = _FOLD.sub(_fold, s)
    s = s.replace("^{1}", "")
    return fmt.finish(s)


def _fold(m) -> str:
    a, b = float(m.group(1)), float(m.group(3))
    return "{" + number(a + b if m.group(2) == "+" else a - b, 8) + "}"


def line(pieces, fmt) -> str:
    """Pieces joined into one line of the format; operators carry their own spacing (" = ", "·")."""
    return "".join(render(p, fmt) for p in pieces)
