"""Text to expression tree, and the text of a point to its coordinates.

A hand-written tokenizer and an operator-precedence parser with explicit stacks: user text
is never handed to Python (no eval, no sympify), and no input can make the parser recurse,
so nesting is bounded by `Limits.max_depth` rather than by the interpreter's stack. Every
refusal says what is wrong and where.
"""

from __future__ import annotations

import difflib
import keyword
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NoReturn

from ..errors import InputError, LimitError, MissingValueError, ParseError
from .expr import Call, Constant, Expr, Number, Variable
from .limits import DEFAULT_LIMITS, Limits
from .magnitude import check_constants
from .ops import CONSTANTS, FUNCTIONS, OPERATIONS, UNSUPPORTED

_FUNCTION_LIST = "diffcompare functions lists those there are"

# ---------------------------------------------------------------------------------------
# tokens

_NUM, _NAME, _OP, _LPAR, _RPAR, _COMMA, _END = "number", "name", "op", "(", ")", ",", "end"

_MANTISSA = re.compile(r"([0-9]+)(?:\.([0-9]*))?|\.([0-9]+)")
_EXPONENT = re.compile(r"[eE]([+-]?)([0-9]+)")
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_WHITESPACE = frozenset(" \t\n\r")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    pos: int  # 0-based index into the text
    value: Fraction | None = None

    @property
    def column(self) -> int:
        return self.pos + 1


# Characters people paste from word processors, and what they meant.
_LOOKALIKES = {
    "×": "*",
    "·": "*",
    "⋅": "*",
    "∗": "*",
    "−": "-",
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "÷": "/",
    "∕": "/",
    "⁄": "/",
    "π": "pi",
    "√": "sqrt(...)",
    "⁰": "**0",
    "¹": "**1",
    "²": "**2",
    "³": "**3",
    "⁴": "**4",
    "⁵": "**5",
    "⁶": "**6",
    "⁷": "**7",
    "⁸": "**8",
    "⁹": "**9",
}

# Python (and other languages') punctuation that has no place in an expression.
_NOT_IN_LANGUAGE = {
    "'": "strings are not part of the language",
    '"': "strings are not part of the language",
    "`": "strings are not part of the language",
    "‘": "strings are not part of the language",
    "’": "strings are not part of the language",
    "“": "strings are not part of the language",
    "”": "strings are not part of the language",
    "[": "use parentheses ( ) for grouping",
    "]": "use parentheses ( ) for grouping",
    "{": "use parentheses ( ) for grouping",
    "}": "use parentheses ( ) for grouping",
    "=": "write an expression, not an equation or an assignment",
    "<": "comparisons are not part of the language",
    ">": "comparisons are not part of the language",
    "!": "comparisons and factorials are not part of the language",
    "%": "there is no remainder operator",
    "@": "there is no matrix multiplication; write * to multiply",
    "&": "logical and bitwise operators are not part of the language",
    "|": "logical and bitwise operators are not part of the language; write abs(...)",
    "~": "logical and bitwise operators are not part of the language",
    ";": "write a single expression",
    ":": "write a single expression",
    "#": "comments are not part of the language",
    "_": "names may not start with '_'",
}


def _fail(message: str, text: str, pos: int | None) -> NoReturn:
    raise ParseError(message, text, None if pos is None else pos + 1)


def _quote(char: str) -> str:
    return f'"{char}"' if char == "'" else f"'{char}'"


def _bad_character(text: str, pos: int) -> NoReturn:
    char = text[pos]
    code = ord(char)
    uname = unicodedata.name(char, "")
    label = f"U+{code:04X}" + (f" ({uname})" if uname else "")
    category = unicodedata.category(char)
    if char == "_":
        _fail("names may not start with '_'", text, pos)
    if category == "Cc":
        _fail(f"control character {label}: delete it", text, pos)
    if category in ("Cf", "Cs", "Co", "Cn") or code in (0x115F, 0x1160, 0x3164, 0xFFA0):
        _fail(f"invisible character {label}: delete it", text, pos)
    if category in ("Zs", "Zl", "Zp"):
        _fail(f"unusual space {label}: use an ordinary space", text, pos)
    unexpected = f"unexpected character {_quote(char)} (U+{code:04X})"
    if char in _LOOKALIKES:
        _fail(f"{unexpected}: write {_LOOKALIKES[char]} instead", text, pos)
    if char in _NOT_IN_LANGUAGE:
        _fail(f"{unexpected}: {_NOT_IN_LANGUAGE[char]}", text, pos)
    if char == ".":
        before = text[:pos].rstrip()
        if before and (before[-1].isalnum() or before[-1] in "_)"):
            _fail(f"{unexpected}: attributes and methods are not part of the language", text, pos)
        _fail(f"{unexpected}: a number needs a digit next to its '.'", text, pos)
    if 0xFF01 <= code <= 0xFF5E:
        ascii_char = chr(code - 0xFEE0)
        _fail(f"fullwidth character {_quote(char)} (U+{code:04X}): write {ascii_char}", text, pos)
    if uname.startswith("GREEK") and "LETTER" in uname:
        spelled = uname.rsplit(" ", 1)[-1].lower()
        _fail(f"{unexpected}: names are ASCII; write {spelled} instead", text, pos)
    if char.isalpha() or char.isdigit():
        _fail(f"{unexpected}: names and numbers are written in ASCII", text, pos)
    _fail(unexpected, text, pos)


def _number(text: str, pos: int, limits: Limits) -> tuple[_Token, int]:
    """Reads a literal at `pos` into its exact value, refusing oversized ones before building
    anything large: the exponent's text is measured before it is converted."""
    mantissa = _MANTISSA.match(text, pos)
    assert mantissa is not None
    end = mantissa.end()
    whole = mantissa.group(1) or ""
    fraction = mantissa.group(2) or mantissa.group(3) or ""
    exponent_text = "0"
    exponent_sign = ""
    if end < len(text) and text[end] in "eE":
        exponent = _EXPONENT.match(text, end)
        if exponent is not None:
            exponent_sign, exponent_text = exponent.group(1), exponent.group(2)
            end = exponent.end()
        elif end + 1 < len(text) and text[end + 1] in "+-":
            _fail(f"malformed number '{text[pos : end + 2]}': its exponent needs digits", text, pos)
    if end < len(text) and text[end] == ".":
        _fail(f"malformed number '{text[pos : end + 1]}'", text, pos)
    literal = text[pos:end]
    shown = literal if len(literal) <= 30 else literal[:27] + "..."
    token = _Token(_NUM, literal, pos)

    digits = (whole + fraction).lstrip("0")
    core = digits.rstrip("0")
    if not core:
        return _Token(_NUM, literal, pos, Fraction(0)), end
    if len(core) > limits.max_literal_digits:
        raise LimitError(
            f"the number {shown} at column {token.column} has {len(core)} significant digits;"
            f" the limit is {limits.max_literal_digits} (Limits.max_literal_digits)"
        )
    exponent_text = exponent_text.lstrip("0") or "0"
    # an exponent of more than 15 digits is astronomically past any limit: never convert it
    exponent_value = 10**15 if len(exponent_text) > 15 else int(exponent_text)
    if exponent_sign == "-":
        exponent_value = -exponent_value
    scale = exponent_value - len(fraction) + (len(digits) - len(core))
    magnitude = scale + len(core) - 1  # floor(log10(value))
    if abs(magnitude) > limits.max_log10_magnitude:
        size = "large" if magnitude > 0 else "small"
        raise LimitError(
            f"the number {shown} at column {token.column} is too {size} (about 1e{magnitude});"
            f" the limit is 1e{'-' if magnitude < 0 else ''}{limits.max_log10_magnitude:g}"
            " (Limits.max_log10_magnitude)"
        )
    significand = int(core)
    value = Fraction(significand * 10**scale) if scale >= 0 else Fraction(significand, 10**-scale)
    return _Token(_NUM, literal, pos, value), end


def _tokenize(text: str, limits: Limits) -> list[_Token]:
    tokens: list[_Token] = []
    pos, length = 0, len(text)
    while pos < length:
        char = text[pos]
        if char in _WHITESPACE:
            pos += 1
        elif "0" <= char <= "9" or (
            char == "." and pos + 1 < length and "0" <= text[pos + 1] <= "9"
        ):
            token, pos = _number(text, pos, limits)
            tokens.append(token)
        elif ("a" <= char <= "z") or ("A" <= char <= "Z"):
            match = _NAME_RE.match(text, pos)
            assert match is not None
            name = match.group()
            if keyword.iskeyword(name):
                _fail(f"'{name}' is Python, not part of the expression language", text, pos)
            tokens.append(_Token(_NAME, name, pos))
            pos = match.end()
        elif char == "*":
            if text.startswith("**", pos):
                tokens.append(_Token(_OP, "**", pos))
                pos += 2
            else:
                tokens.append(_Token(_OP, "*", pos))
                pos += 1
        elif char in "+-^":
            tokens.append(_Token(_OP, char, pos))
            pos += 1
        elif char == "/":
            if text.startswith("//", pos):
                _fail("'//' (floor division) is not part of the language: write /", text, pos)
            tokens.append(_Token(_OP, "/", pos))
            pos += 1
        elif char in "(),":
            tokens.append(_Token(char, char, pos))
            pos += 1
        else:
            _bad_character(text, pos)
    tokens.append(_Token(_END, "", length))
    return tokens


# ---------------------------------------------------------------------------------------
# parser

# Binding strength: higher binds tighter. Unary minus sits between product and power, as in
# Python: -x**2 is -(x**2), and 2*-x is 2*(-x).
_BINARY = {"+": ("add", 1), "-": ("sub", 1), "*": ("mul", 2), "/": ("div", 2)}
_POWER = 4
_UNARY = 3


@dataclass(slots=True)
class _Pending:
    """An operator, '(' or call waiting on the stack for the operands to its right."""

    kind: str  # "binary", "unary", "paren", "call"
    op: str  # operation name, "pos" for unary plus, or the function's name
    prec: int
    token: _Token
    arguments: int = 0  # a call's completed arguments


def _arity_text(name: str) -> str:
    counts = sorted(FUNCTIONS[name])
    if len(counts) == 1:
        n = counts[0]
        return f"{n} argument" + ("" if n == 1 else "s")
    return " or ".join(str(n) for n in counts[:-1]) + f" or {counts[-1]} arguments"


def _describe(token: _Token) -> str:
    return "the end" if token.kind == _END else f"'{token.text}'"


class _Parser:
    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.tokens = _tokenize(text, limits)
        self.operands: list[tuple[Expr, int]] = []  # (tree, its depth)
        self.pending: list[_Pending] = []
        self.nodes = 0
        self.variables: set[str] = set()

    def fail(self, message: str, token: _Token | None) -> NoReturn:
        _fail(message, self.text, None if token is None else token.pos)

    # building nodes, with the size limits checked as the tree grows

    def _count_node(self) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise LimitError(
                f"the expression has more than {self.limits.max_nodes} nodes;"
                f" the limit is {self.limits.max_nodes} (Limits.max_nodes)"
            )

    def leaf(self, node: Expr) -> None:
        self._count_node()
        if isinstance(node, Variable) and node.name not in self.variables:
            self.variables.add(node.name)
            if len(self.variables) > self.limits.max_variables:
                raise LimitError(
                    f"the expression has more than {self.limits.max_variables} variables;"
                    f" the limit is {self.limits.max_variables} (Limits.max_variables)"
                )
        self.operands.append((node, 1))

    def node(self, op: str, count: int) -> None:
        args = self.operands[-count:]
        del self.operands[-count:]
        depth = 1 + max(d for _, d in args)
        if depth > self.limits.max_depth:
            raise LimitError(
                f"the expression nests more than {self.limits.max_depth} levels deep;"
                f" the limit is {self.limits.max_depth} (Limits.max_depth)"
            )
        self._count_node()
        self.operands.append((Call(op, tuple(a for a, _ in args)), depth))

    def push(self, item: _Pending) -> None:
        self.pending.append(item)
        if len(self.pending) > self.limits.max_depth:
            raise LimitError(
                f"the expression nests more than {self.limits.max_depth} levels deep"
                " (parentheses, calls and operators);"
                f" the limit is {self.limits.max_depth} (Limits.max_depth)"
            )

    def reduce(self, item: _Pending) -> None:
        if item.kind == "binary":
            self.node(item.op, 2)
        elif item.op != "pos":  # unary plus leaves its operand as it is
            self.node(item.op, 1)

    def reduce_while_binds_tighter(self, prec: int, right_associative: bool) -> None:
        while self.pending and self.pending[-1].kind in ("binary", "unary"):
            top = self.pending[-1]
            if top.prec > prec or (top.prec == prec and not right_associative):
                self.reduce(self.pending.pop())
            else:
                break

    def reduce_to_group(self) -> _Pending | None:
        """Reduces the operators inside the innermost '(' or call and returns that group."""
        while self.pending and self.pending[-1].kind in ("binary", "unary"):
            self.reduce(self.pending.pop())
        return self.pending[-1] if self.pending else None

    # the two states: expecting an operand, or expecting what follows one

    def run(self) -> Expr:
        tokens = self.tokens
        expect_operand = True
        i = 0
        while True:
            token = tokens[i]
            previous = tokens[i - 1] if i > 0 else None
            if expect_operand:
                i, expect_operand = self.operand(i, token, previous)
            elif token.kind == _END:
                return self.finish()
            else:
                expect_operand = self.after_operand(token, previous)
                i += 1

    def operand(self, i: int, token: _Token, previous: _Token | None) -> tuple[int, bool]:
        """Handles a token where an operand must start; returns the next token's index and
        whether an operand is still expected."""
        if token.kind == _NUM:
            assert token.value is not None
            self.leaf(Number(token.value))
            return i + 1, False
        if token.kind == _NAME:
            return self.name(i, token)
        if token.kind == _LPAR:
            self.push(_Pending("paren", "(", 0, token))
            return i + 1, True
        if token.kind == _OP and token.text in "+-":
            self.push(_Pending("unary", "neg" if token.text == "-" else "pos", _UNARY, token))
            return i + 1, True
        self.missing_operand(token, previous)

    def missing_operand(self, token: _Token, previous: _Token | None) -> NoReturn:
        if previous is None:
            if token.kind == _END:
                raise ParseError("empty expression", self.text, None)
            if token.kind == _RPAR:
                self.fail("unmatched ')'", token)
            self.fail(f"expected an expression before {_describe(token)}", token)
        group = self.pending[-1] if self.pending else None
        if token.kind == _RPAR and previous.kind == _LPAR and group is not None:
            if group.kind == "call":
                got = "got none"
                self.fail(f"{group.op} takes {_arity_text(group.op)}, {got}", group.token)
            self.fail("empty parentheses: expected an expression inside", token)
        if token.kind == _END and previous.kind == _LPAR:
            self.fail("expected an expression after '(' (and a closing ')')", token)
        hint = " (for a power write **)" if previous.text == "*" and token.text == "*" else ""
        found = "" if token.kind == _END else f", found {_describe(token)}"
        self.fail(f"expected an expression after '{previous.text}'{found}{hint}", token)

    def name(self, i: int, token: _Token) -> tuple[int, bool]:
        name = token.text
        called = self.tokens[i + 1].kind == _LPAR
        if name in FUNCTIONS:
            if not called:
                self.fail(f"'{name}' is a function: write {name}(...)", token)
            self.push(_Pending("call", name, 0, token))
            return i + 2, True
        if called:
            self.not_a_function(token)
        if name in CONSTANTS:
            self.leaf(Constant(name))
        else:
            self.leaf(Variable(name))
        return i + 1, False

    def not_a_function(self, token: _Token) -> NoReturn:
        name = token.text
        if name in CONSTANTS:
            self.fail(
                f"'{name}' is a constant, not a function (missing operator? write {name}*(...))",
                token,
            )
        if name in UNSUPPORTED:
            instead = f"{UNSUPPORTED[name]}; " if UNSUPPORTED[name] else ""
            self.fail(f"unsupported function '{name}' ({instead}{_FUNCTION_LIST})", token)
        close = difflib.get_close_matches(name, sorted(FUNCTIONS), n=1, cutoff=0.6)
        if close and len(name) > 1:
            self.fail(f"unknown function '{name}' — did you mean '{close[0]}'?", token)
        if len(name) > 2 and not name[-1].isdigit() and "_" not in name:
            self.fail(f"unsupported function '{name}' ({_FUNCTION_LIST})", token)
        self.fail(
            f"'{name}' is a variable, not a function (missing operator? write {name}*(...))", token
        )

    def after_operand(self, token: _Token, previous: _Token | None) -> bool:
        """Handles a token that follows a complete operand; returns whether an operand is
        expected next."""
        assert previous is not None
        if token.kind == _OP:
            if token.text in ("**", "^"):
                self.reduce_while_binds_tighter(_POWER, right_associative=True)
                self.push(_Pending("binary", "pow", _POWER, token))
            else:
                op, prec = _BINARY[token.text]
                self.reduce_while_binds_tighter(prec, right_associative=False)
                self.push(_Pending("binary", op, prec, token))
            return True
        if token.kind == _RPAR:
            group = self.reduce_to_group()
            if group is None:
                self.fail("unmatched ')'", token)
            self.pending.pop()
            if group.kind == "call":
                self.call(group)
            return False
        if token.kind == _COMMA:
            group = self.reduce_to_group()
            if group is None or group.kind != "call":
                self.fail("',' is only allowed between a function's arguments", token)
            group.arguments += 1
            return True
        # an operand right after an operand
        if token.kind == _LPAR:
            written = f"{previous.text}*(...)"
            self.fail(
                f"missing operator between '{previous.text}' and '(' — write {written}", token
            )
        self.fail(
            f"missing operator between '{previous.text}' and '{token.text}'"
            f" — write {previous.text}*{token.text}",
            token,
        )

    def call(self, group: _Pending) -> None:
        count = group.arguments + 1
        op = FUNCTIONS[group.op].get(count)
        if op is None:
            self.fail(f"{group.op} takes {_arity_text(group.op)}, got {count}", group.token)
        self.node(op, count)

    def finish(self) -> Expr:
        group = self.reduce_to_group()
        if group is not None:
            opening = self.tokens[self.tokens.index(group.token) + (group.kind == "call")]
            self.fail("missing ')': this '(' is never closed", opening)
        assert len(self.operands) == 1
        return self.operands[0][0]


def parse(text: str, limits: Limits = DEFAULT_LIMITS) -> Expr:
    """The tree of `text`, or a ParseError saying what is wrong and at which column, or a
    LimitError when the expression is well formed but too large to compute safely."""
    if not isinstance(text, str):
        raise InputError(f"an expression must be text, not {type(text).__name__}")
    # before anything else, so that a megabyte of text costs nothing
    if len(text) > limits.max_length:
        raise LimitError(
            f"expression is {len(text)} characters long; the limit is {limits.max_length}"
            " (Limits.max_length)"
        )
    tree = _Parser(text, limits).run()
    check_constants(tree, limits)
    return tree


def check_tree(expr: object, limits: Limits = DEFAULT_LIMITS) -> Expr:
    """`expr` if it is a tree the parser could have built, within the same limits: a caller
    may hand `compare` a tree instead of text, and that tree must not get past the limits
    (or reach sympy nested deeper than the interpreter's stack)."""
    nodes, deepest, names = 0, 0, set()
    stack: list[tuple[object, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        nodes, deepest = nodes + 1, max(deepest, depth)
        if nodes > limits.max_nodes:
            raise LimitError(f"the tree has more than {limits.max_nodes} nodes (Limits.max_nodes)")
        if deepest > limits.max_depth:
            raise LimitError(
                f"the tree nests more than {limits.max_depth} levels deep (Limits.max_depth)"
            )
        if isinstance(node, Call):
            op = OPERATIONS.get(node.op) if isinstance(node.op, str) else None
            if op is None or not isinstance(node.args, tuple) or len(node.args) != op.arity:
                raise InputError(f"not an expression tree: a call of {node.op!r}")
            stack.extend((arg, depth + 1) for arg in node.args)
        elif isinstance(node, Variable):
            if not isinstance(node.name, str) or name_problem(node.name) is not None:
                raise InputError(f"not an expression tree: a variable named {node.name!r}")
            names.add(node.name)
        elif isinstance(node, Constant):
            if node.name not in CONSTANTS:
                raise InputError(f"not an expression tree: a constant named {node.name!r}")
        elif not (isinstance(node, Number) and isinstance(node.value, Fraction)):
            raise InputError(f"not an expression tree: {type(node).__name__} {node!r:.60}")
    if len(names) > limits.max_variables:
        raise LimitError(
            f"the tree has more than {limits.max_variables} variables (Limits.max_variables)"
        )
    assert isinstance(expr, Number | Constant | Variable | Call)
    check_constants(expr, limits)
    return expr


# ---------------------------------------------------------------------------------------
# points

_NON_FINITE = frozenset({"nan", "inf", "infinity"})
_POINT_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_POINT_VALUE = re.compile(
    r"([+-]?)\s*(pi|e|[0-9.][0-9.eE+-]*)((?:\s*[*/]\s*(?:pi|e|[0-9.][0-9.eE+-]*))*)"
)
_POINT_FACTOR = re.compile(r"\s*([*/])\s*(pi|e|[0-9.][0-9.eE+-]*)")


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a variable, or None when it can."""
    if not name:
        return "a variable needs a name"
    if name.startswith("_"):
        return "names may not start with '_'"
    if not _NAME_RE.fullmatch(name):
        return "a name is an ASCII letter followed by letters, digits and '_'"
    if name in FUNCTIONS:
        return f"'{name}' is a function"
    if name in CONSTANTS:
        return f"'{name}' is a constant"
    if keyword.iskeyword(name):
        return f"'{name}' is a Python keyword"
    return None


def check_coordinate(
    name: str, value: float, limits: Limits = DEFAULT_LIMITS, *, where: str = "--at"
) -> float:
    """`value` as a float if it is a usable coordinate: finite and within the magnitude
    limit (zero is fine)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{where}: value of '{name}' is {value!r}: not a number") from None
    if not math.isfinite(number):
        raise InputError(
            f"{where}: value of '{name}' is {number!r}: a point must be a finite number"
        )
    if number != 0.0 and abs(math.log10(abs(number))) > limits.max_log10_magnitude:
        raise InputError(
            f"{where}: value of '{name}' is {number!r}: its size is beyond"
            f" 1e±{limits.max_log10_magnitude:g} (Limits.max_log10_magnitude)"
        )
    return number


def _point_factor(text: str, name: str, where: str) -> float:
    if text in CONSTANTS:
        return CONSTANTS[text]
    if not _POINT_NUMBER.fullmatch(text):
        raise InputError(f"{where}: value of '{name}' has a malformed number '{text}'")
    number = float(text)
    if math.isinf(number):
        raise InputError(f"{where}: value of '{name}' is '{text}': too large for a float64")
    if number == 0.0 and text.lower().split("e")[0].strip("0.") != "":
        raise InputError(
            f"{where}: value of '{name}' is '{text}': too small for a float64 (it would be 0)"
        )
    return number


def _point_value(text: str, name: str, where: str, limits: Limits) -> float:
    if not text:
        raise InputError(f"{where}: '{name}' has no value (write {name}=1.5)")
    if text.lower().lstrip("+-") in _NON_FINITE:
        raise InputError(f"{where}: value of '{name}' is '{text}': a point must be a finite number")
    match = _POINT_VALUE.fullmatch(text)
    if match is None:
        raise InputError(
            f"{where}: value of '{name}' is '{text}': not a number"
            " (write a decimal like 1.5 or -2e-3, or pi, e, -pi/2)"
        )
    sign, first, rest = match.groups()
    value = _point_factor(first, name, where)
    for operator, factor_text in _POINT_FACTOR.findall(rest):
        factor = _point_factor(factor_text, name, where)
        if operator == "*":
            value *= factor
        elif factor == 0.0:
            raise InputError(f"{where}: value of '{name}' is '{text}': division by zero")
        else:
            value /= factor
    if sign == "-":
        value = -value
    return check_coordinate(name, value, limits, where=where)


def parse_point(
    text: str, *, where: str = "--at", limits: Limits = DEFAULT_LIMITS
) -> dict[str, float]:
    """Coordinates from text like ``x=1, y=-2.5`` (',' or ';' between them), in the order
    given. A value is a signed decimal, or pi and e, optionally multiplied or divided by
    numbers (``-pi/2``)."""
    if len(text) > limits.max_length:
        raise InputError(f"{where}: the point is {len(text)} characters long")
    point: dict[str, float] = {}
    for item in re.split(r"[,;]", text):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise InputError(f"{where}: expected name=value, got '{item}'")
        name, value_text = (part.strip() for part in item.split("=", 1))
        problem = name_problem(name)
        if problem is not None:
            raise InputError(f"{where}: '{name}' is not a usable variable name: {problem}")
        if name in point:
            raise InputError(f"{where}: '{name}' is given twice")
        point[name] = _point_value(value_text, name, where, limits)
    return point


def check_point(
    expr_variables: Sequence[str],
    point: Mapping[str, float],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """InputError unless `point` gives every variable of the expression a usable value.

    The point may also name variables the expression does not use: formula files declare
    one set of inputs for every formula, and a loss has parameters some terms lack. Their
    derivatives are exactly 0 (see `unused_variables`)."""
    for name in expr_variables:
        if name not in point:
            raise MissingValueError(name)
    for name, value in point.items():
        check_coordinate(name, value, limits)


def unused_variables(expr_variables: Sequence[str], point: Mapping[str, float]) -> list[str]:
    """The names of the point that the expression does not use, in the point's order."""
    used = set(expr_variables)
    return [name for name in point if name not in used]
