"""The `chainrule` command.

    chainrule explain "a*b + (a+b)" a=3 b=4 [--wrt a] [--draw graph.svg] [--stepper backward.html]
    chainrule tour [--out DIR]

The expression is read with `ast` and evaluated by walking the tree, never by eval():
only numbers, the names bound on the command line, + - * / **, unary -, parentheses and
calls to a short list of chainrule functions are allowed.  A refused expression exits
with status 2, as argparse does for bad arguments.
"""

from __future__ import annotations

import argparse
import ast
import operator
import sys

FUNCTIONS = ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "sqrt", "abs", "relu", "softplus", "log1p",
             "expm1", "sum", "mean")
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_ALLOWED = "numbers, the names you bind (a=3), + - * / **, parentheses and calls to " + ", ".join(FUNCTIONS)


class Refused(ValueError):
    """An expression or binding the command does not accept."""


def _function(name):
    import chainrule
    if name == "softplus":
        from chainrule.nn.functional import softplus
        return softplus
    return getattr(chainrule, name)


def _refusal(node) -> str:
    kinds = {ast.Attribute: "attribute access (x.y) is", ast.Subscript: "subscripts (x[i]) are",
             ast.Lambda: "lambda is", ast.Compare: "comparisons are", ast.BoolOp: "and/or are", ast.IfExp: "if/else is",
             ast.List: "lists are", ast.Tuple: "tuples are", ast.Dict: "dicts are", ast.NamedExpr: ":= is",
             ast.JoinedStr: "f-strings are", ast.Constant: "this constant is"}
    what = next((text for kind, text in kinds.items() if isinstance(node, kind)), f"{type(node).__name__} is")
    return f"{what} not allowed in an expression; use {_ALLOWED}"


def evaluate(expr: str, env: dict):
    """The value of expr with env's names bound; Refused for anything outside the grammar."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
        return _eval(tree.body, env)
    except SyntaxError as e:
        raise Refused(f"not a valid expression: {e.msg}") from None
    except (RecursionError, MemoryError):  # the parser's stack, or ours, on deeply nested input
        raise Refused("the expression is nested too deeply") from None


def _eval(node, env):
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)  # floats: 9**9**9 overflows at once instead of computing for ever
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in FUNCTIONS:
            raise Refused(f"{node.id} is a function: call it, as in {node.id}(x)")
        raise Refused(f"unknown name {node.id!r}: bind it on the command line, as in {node.id}=1.5")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand, env))
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise Refused(f"calling {name or ast.unparse(node.func)} is not allowed; the functions are: "
                          f"{', '.join(FUNCTIONS)}")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise Refused(f"{name} takes exactly one argument")
        return _function(name)(_eval(node.args[0], env))
    raise Refused(_refusal(node))


def parse_binding(text: str):
    """'a=3' or 'x=[1, 2]' -> ('a', value)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise Refused(f"expected NAME=VALUE, got {text!r}")
    if name in FUNCTIONS:
        raise Refused(f"{name} is a function name; pick another name for the variable")
    try:
        parsed = ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        raise Refused(f"{name}: the value must be a number or a list of numbers, got {value!r}") from None
    if isinstance(parsed, bool) or not isinstance(parsed, (int, float, list)):
        raise Refused(f"{name}: the value must be a number or a list of numbers, got {value!r}")
    return name, parsed


def _number_text(t) -> str:
    from chainrule.explain.formula import array_text
    return array_text(t.detach()._data, 6)


def cmd_explain(args) -> int:
    import chainrule
    bindings = dict(parse_binding(b) for b in args.bindings)
    env = {}
    for name, value in bindings.items():
        try:
            env[name] = chainrule.tensor(value, dtype=chainrule.float64, requires_grad=True)
        except (TypeError, ValueError) as e:
            raise Refused(f"{name}: {e}") from None
    wrt = [w.strip() for group in (args.wrt or []) for w in group.split(",") if w.strip()] or list(env)
    unknown = [w for w in wrt if w not in env]
    if unknown:
        raise Refused(f"--wrt names {', '.join(unknown)}, which the command line does not bind")
    try:
        out = evaluate(args.expression, env)
    except Refused:
        raise
    except (ArithmeticError, ValueError, RuntimeError) as e:  # e.g. 2.0**9e9, or shapes that don't match
        raise Refused(f"can't evaluate the expression: {e}") from None
    if not isinstance(out, chainrule.Tensor) or not out.requires_grad:
        raise Refused("the expression uses none of the bound names, so there is nothing to differentiate")
    if out.numel() != 1:
        raise Refused(f"the expression's value has {out.numel()} elements; wrap it in sum(...) or mean(...)")
    fname = "f" if "f" not in env else "out"
    names = {**env, fname: out}
    leaves = [env[w] for w in wrt]
    grads = chainrule.autograd.grad(out, leaves, retain_graph=True, allow_unused=True)
    given = ", ".join(f"{k} = {_number_text(v)}" for k, v in env.items())
    print(f"{fname} = {args.expression.strip()} = {_number_text(out)}    ({given})")
    for w, g in zip(wrt, grads):
        print(f"∂{fname}/∂{w} = {_number_text(g) if g is not None else 0}")
    for d in chainrule.explain(out, leaves, names=names):
        print("\n" + str(d))
    if args.draw or args.stepper:
        from chainrule import viz
        print()
        if args.draw:
            print(f"wrote {viz.draw(out, names=names).save(args.draw)}")
        if args.stepper:  # last: it runs backward, which frees the graph
            print(f"wrote {viz.stepper(out, names=names).save(args.stepper)}")
    return 0


def cmd_tour(args) -> int:
    from .tour import run_tour
    run_tour(args.out)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chainrule", description="chainrule: autograd you can see.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("explain", help="differentiate an expression and write out the chain rule",
                       description="Differentiate EXPR with respect to its variables and write out the chain rule. "
                                   f"EXPR may use {_ALLOWED}.")
    e.add_argument("expression", metavar="EXPR", help='e.g. "a*b + (a+b)"')
    e.add_argument("bindings", nargs="*", metavar="NAME=VALUE", help="the variables, e.g. a=3 b=4 (or x=[1,2])")
    e.add_argument("--wrt", action="append", metavar="NAME", help="differentiate with respect to these (default: all)")
    e.add_argument("--draw", metavar="FILE", help="draw the graph to FILE (.svg, .png, .dot or .html)")
    e.add_argument("--stepper", metavar="FILE", help="write the backward stepper page to FILE (.html)")
    e.set_defaults(run=cmd_explain)
    t = sub.add_parser("tour", help="run the seed examples and write an HTML report",
                       description="Run the seed notebooks' examples and write one offline HTML report.")
    t.add_argument("--out", default="chainrule-tour", metavar="DIR", help="where to write it (default: %(default)s)")
    t.set_defaults(run=cmd_tour)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except Refused as e:
        print(f"chainrule {args.command}: {e}", file=sys.stderr)
        return 2
