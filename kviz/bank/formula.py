"""Safe arithmetic for imported Moodle "calculated" questions: `{a} * ({b} + 1)`.

The formula is parsed with Python's `ast` and walked node by node; only numbers, the
question's own variables, + - * / % **, and a few math functions are allowed, so an imported
file can never run code (no eval) nor make a huge number (bounded length and exponents).
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

MAX_FORMULA = 300  # characters
MAX_EXPONENT = 100
MAX_DEPTH = 40

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "floor": math.floor,
    "ceil": math.ceil,
    "round": lambda x, n=0: round(x, int(n)),
    "min": min,
    "max": max,
    "log": math.log,
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "pi": lambda: math.pi,
}


class FormulaError(ValueError):
    """A formula that is not plain arithmetic over its variables."""


def variables(formula: str) -> list[str]:
    """The `{name}` wildcards of a Moodle formula, in order of first use."""
    return list(dict.fromkeys(re.findall(r"\{([A-Za-z_]\w*)\}", formula)))


def evaluate(formula: str, values: Mapping[str, Any]) -> float:
    """The formula's value with its `{name}` wildcards taken from `values`."""
    if len(formula) > MAX_FORMULA:
        raise FormulaError(f"formula is {len(formula)} characters; the limit is {MAX_FORMULA}")
    text = re.sub(r"\{([A-Za-z_]\w*)\}", r"\1", formula)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise FormulaError(f"{formula!r} is not a formula") from None
    result = _eval(tree.body, values, 0)
    if not math.isfinite(result):
        raise FormulaError(f"{formula!r} is not finite for these values")
    return result


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _eval(node: ast.AST, values: Mapping[str, Any], depth: int) -> float:
    if depth > MAX_DEPTH:
        raise FormulaError("formula nests too deeply")
    if isinstance(node, ast.Constant) and _is_number(node.value):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if not _is_number(value):
            raise FormulaError(f"{{{node.id}}} has no number")
        return float(value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _eval(node.operand, values, depth + 1)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _eval(node.left, values, depth + 1)
        right = _eval(node.right, values, depth + 1)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise FormulaError(f"exponent {right:g} is above {MAX_EXPONENT}")
        try:
            return float(_BINARY[type(node.op)](left, right))
        except (ZeroDivisionError, OverflowError, ValueError) as e:
            raise FormulaError(f"cannot compute: {e}") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        fn = _FUNCTIONS.get(node.func.id)
        if fn is None:
            raise FormulaError(f"unknown function {node.func.id}()")
        args = [_eval(a, values, depth + 1) for a in node.args]
        try:
            return float(fn(*args))
        except (TypeError, ValueError, OverflowError) as e:
            raise FormulaError(f"{node.func.id}(): {e}") from None
    raise FormulaError(f"{ast.unparse(node)!r} is not plain arithmetic")
