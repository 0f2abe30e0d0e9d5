"""Student notation rewritten into the strict language, saying how ambiguous forms were read.

Students write ``2x``, ``3x^2+2x``, ``(x+1)(x-1)``, ``x e^x``, ``sin x``, ``sin^2(x)``,
``|x|``, ``arctan(x)`` and paste ``x²``, ``π``, ``·``, ``×``, ``−``. The strict language
refuses all of these on purpose: a tool's expression language should not guess. Grading may
opt in (``implicit=True``): `read_student` turns such text into strict text, which the one
parser then reads as usual. Nothing here evaluates anything, and the walk is a loop over
tokens with explicit stacks, so no input can make it recurse.

The rules, in the order they apply:

* typography: ``×·⋅∗`` are ``*``, ``−–—`` are ``-``, ``÷`` is ``/``, ``π`` is ``pi``,
  superscripts are powers (``x²`` is ``x^(2)``, ``x⁻¹`` is ``x^(-1)``), ``√`` is ``sqrt``;
* ``|u|`` is ``abs(u)``; ``arcsin``, ``arccos``, ``arctan`` (and ``arcsinh``...) are
  ``asin``, ``acos``, ``atan``; ``cosec`` is ``csc``; ``sin^-1`` is ``asin`` (read as such);
* a run of letters that is no known name is split into known ones: ``xe`` is ``x*e``,
  ``sinx`` is ``sin x`` (each split is reported);
* juxtaposition is multiplication: ``2x``, ``2(x+1)``, ``(x+1)(x-1)``, ``x e^x`` (but not
  of two numbers: ``2 3`` is left for the parser to refuse);
* a function name without parentheses applies to the run of juxtaposed factors after it,
  each with its power: ``sin x`` is ``sin(x)``, ``sin 2x`` is ``sin(2*x)``, ``cos x^2`` is
  ``cos(x^2)`` (reported), ``sin x cos x`` is ``sin(x)*cos(x)``; ``sin^2 x`` and
  ``sin^2(x)`` are ``sin(x)^2``;
* juxtaposition binds like ``*``, so ``1/2x`` is ``(1/2)*x`` (reported: write ``1/(2x)``
  for the other reading).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from ..errors import ParseError
from .ops import CONSTANTS, FUNCTIONS, INVERSES, STUDENT_NAMES

ALIASES = STUDENT_NAMES
"""Names students use for functions of the language (the rows' `student_names`)."""

_TYPOGRAPHY = str.maketrans(
    {
        "×": "*",
        "·": "*",
        "⋅": "*",
        "∗": "*",
        "−": "-",
        "–": "-",
        "—": "-",
        "÷": "/",
        "∕": "/",
        "π": " pi ",
        "√": " sqrt ",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
_SUPERSCRIPT = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+(?![A-Za-z]))?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^])"
    r"|(?P<open>\()|(?P<close>\))|(?P<comma>,)|(?P<bar>\|)"
    r")"
)

NUM, NAME, FUNC, OP, OPEN, CLOSE, COMMA = "num", "name", "func", "op", "(", ")", ","


@dataclass
class _Token:
    kind: str
    text: str
    start: int  # span in the normalised text, for the notes
    end: int
    power: list[_Token] = field(default_factory=list)  # a function's own power: sin^2


@dataclass(frozen=True)
class Reading:
    """Student text in the strict language, and how its ambiguous forms were read."""

    text: str
    notes: tuple[str, ...]


def read_student(text: str, names: Collection[str] = ()) -> Reading:
    """Rewrite student notation into the strict language. `names` are the question's
    variables (a run of letters is split into them). Raises ParseError for a character
    that has no reading; everything else is left for the strict parser to judge."""
    clean = _normalise(text)
    notes: list[str] = []
    tokens = _tokens(clean, set(names), notes)
    tokens = _bars(tokens)
    tokens = _function_powers(tokens, clean, notes)
    return Reading(_join(tokens, clean, notes), tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------------------
# text to tokens


def _normalise(text: str) -> str:
    text = text.translate(_TYPOGRAPHY)
    return _SUPERSCRIPT.sub(lambda run: f"^({run.group().translate(_FROM_SUPERSCRIPT)})", text)


def _known(name: str, names: set[str]) -> bool:
    return name in names or name in CONSTANTS or name in FUNCTIONS or name in ALIASES


def _tokens(text: str, names: set[str], notes: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            char = text[position:].lstrip()[:1]
            column = len(text) - len(text[position:].lstrip()) + 1
            raise ParseError(f"unexpected character '{char}'", text, column)
        kind = match.lastgroup or ""
        start, end = match.start(kind), match.end(kind)
        word = match.group(kind)
        position = match.end()
        if kind == "num":
            tokens.append(_Token(NUM, word, start, end))
        elif kind == "name":
            tokens.extend(_name_tokens(word, start, names, notes))
        elif kind == "op":
            tokens.append(_Token(OP, "^" if word == "**" else word, start, end))
        elif kind == "bar":
            tokens.append(_Token("|", word, start, end))
        else:
            punctuation = {"open": OPEN, "close": CLOSE, "comma": COMMA}[kind]
            tokens.append(_Token(punctuation, word, start, end))
    return tokens


def _name_tokens(word: str, start: int, names: set[str], notes: list[str]) -> list[_Token]:
    """One name, or a run of letters split into known names (xe -> x, e)."""
    parts = [word] if _known(word, names) else _split(word, names)
    if parts is None:
        parts = [word]  # unknown: the strict parser names it
    elif len(parts) > 1:
        shown = parts[0]
        for before, part in zip(parts, parts[1:], strict=False):
            shown += " " if ALIASES.get(before, before) in FUNCTIONS else "*"
            shown += part
        notes.append(f"'{word}' was read as {shown}")
    tokens = []
    offset = start
    for part in parts:
        name = ALIASES.get(part, part)
        kind = FUNC if name in FUNCTIONS else NAME
        tokens.append(_Token(kind, name, offset, offset + len(part)))
        offset += len(part)
    return tokens


def _split(word: str, names: set[str]) -> list[str] | None:
    """`word` as a sequence of known names, longest first at each place (with backtracking
    through an explicit stack), or None."""
    stack: list[tuple[int, list[str]]] = [(0, [])]
    while stack:
        at, parts = stack.pop()
        if at == len(word):
            return parts
        # push the shorter candidates first so that the longest is tried first
        for end in range(at + 1, len(word) + 1):
            piece = word[at:end]
            if _known(piece, names):
                stack.append((end, [*parts, piece]))
    return None


def _bars(tokens: list[_Token]) -> list[_Token]:
    """|u| as abs(u): a bar opens where a value cannot end, and closes otherwise."""
    result: list[_Token] = []
    open_bars = 0
    for token in tokens:
        if token.kind != "|":
            result.append(token)
            continue
        if open_bars == 0 or not _ends_value(result[-1] if result else None):
            open_bars += 1
            result.append(_Token(FUNC, "abs", token.start, token.end))
            result.append(_Token(OPEN, "(", token.start, token.end))
        else:
            open_bars -= 1
            result.append(_Token(CLOSE, ")", token.start, token.end))
    return result


def _function_powers(tokens: list[_Token], text: str, notes: list[str]) -> list[_Token]:
    """sin^2 x: the power moves to the function's value; sin^-1 is asin."""
    result: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == FUNC and i + 1 < len(tokens) and tokens[i + 1].text == "^":
            power, after = _power_operand(tokens, i + 2)
            if power:
                written = "".join(t.text for t in power)
                if written in ("-1", "(-1)") and token.text in INVERSES:
                    inverse = INVERSES[token.text]
                    notes.append(f"'{text[token.start : power[-1].end]}' was read as {inverse}")
                    result.append(_Token(FUNC, inverse, token.start, power[-1].end))
                else:
                    result.append(_Token(FUNC, token.text, token.start, token.end, power))
                i = after
                continue
        result.append(token)
        i += 1
    return result


def _power_operand(tokens: list[_Token], i: int) -> tuple[list[_Token], int]:
    """The exponent after '^': a signed number or name, or a parenthesised group."""
    operand: list[_Token] = []
    if i < len(tokens) and tokens[i].text in ("-", "+"):
        operand.append(tokens[i])
        i += 1
    if i < len(tokens) and tokens[i].kind in (NUM, NAME):
        return [*operand, tokens[i]], i + 1
    if i < len(tokens) and tokens[i].kind == OPEN:
        depth = 0
        for j in range(i, len(tokens)):
            depth += {OPEN: 1, CLOSE: -1}.get(tokens[j].kind, 0)
            if depth == 0:
                return [*operand, *tokens[i : j + 1]], j + 1
    return [], i


# ---------------------------------------------------------------------------------------
# tokens to strict text


@dataclass
class _Frame:
    """One level of parentheses (written, or added around a bare function's argument)."""

    out_start: int  # where the current term starts in the output
    source_start: int  # and in the source
    bare: _Token | None = None  # the function applied without parentheses, if any
    power: list[_Token] = field(default_factory=list)  # its power, written after it
    applied_at: int = 0  # where that application starts in the output
    powered: bool = False  # a '^' inside a bare argument: "cos x^2", worth a note
    divided: bool = False  # the current term has had a '/'
    implicit_after_division: int | None = None  # the '*' put after it: "1/2x"


def _ends_value(token: _Token | None) -> bool:
    return token is not None and token.kind in (NUM, NAME, CLOSE)


def _starts_value(token: _Token) -> bool:
    return token.kind in (NUM, NAME, FUNC, OPEN)


def _join(tokens: list[_Token], text: str, notes: list[str]) -> str:
    out: list[str] = []
    frames = [_Frame(0, 0)]
    powers: list[list[_Token] | None] = []  # per written '(' : the function power to add
    previous: _Token | None = None

    def end_term(source_end: int) -> None:
        frame = frames[-1]
        star = frame.implicit_after_division
        if star is not None:
            left, right = "".join(out[frame.out_start : star]), "".join(out[star + 1 :])
            written = text[frame.source_start : source_end].strip()
            notes.append(f"'{written}' was read as ({left})*{right}")
            frame.implicit_after_division = None
        frame.divided = False

    def close_bare(source_end: int) -> None:
        while frames[-1].bare is not None:
            end_term(source_end)
            frame = frames.pop()
            out.append(")")
            if frame.power:
                out.append("^")
                out.extend(t.text for t in frame.power)
            if frame.powered and frame.bare is not None:
                written = text[frame.bare.start : source_end].strip()
                notes.append(f"'{written}' was read as {''.join(out[frame.applied_at :])}")

    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        unary = previous is None or previous.kind in (OP, OPEN, COMMA, FUNC)
        if token.kind in (COMMA, CLOSE) or (token.kind == OP and token.text != "^" and not unary):
            close_bare(token.start)
        # two numbers side by side ("2 3") are a typo, not a product: left to the parser
        if _ends_value(previous) and _starts_value(token) and token.kind != NUM:
            if token.kind == FUNC:
                close_bare(token.start)
            if frames[-1].divided:
                frames[-1].implicit_after_division = len(out)
                frames[-1].divided = False
            out.append("*")
        elif _ends_value(previous) and token.kind == NUM:
            out.append(" ")  # kept apart, for the parser to refuse
        if token.kind == FUNC:
            applied_at = len(out)
            out.append(token.text)
            if following is not None and following.kind == OPEN:
                powers.append(token.power)
                out.append("(")
                frames.append(_Frame(len(out), following.end))
                previous = following
                tokens[index + 1] = _Token("skip", "", following.start, following.end)
                continue
            if following is not None and _starts_value(following):
                out.append("(")
                frames.append(_Frame(len(out), following.start, token, token.power, applied_at))
            elif token.power:
                out.append("^")
                out.extend(t.text for t in token.power)
        elif token.kind == "skip":
            continue
        elif token.kind == OPEN:
            powers.append(None)
            out.append("(")
            frames.append(_Frame(len(out), token.end))
        elif token.kind == CLOSE:
            if len(frames) > 1:
                end_term(token.start)
                frames.pop()
            out.append(")")
            power = powers.pop() if powers else None
            if power:
                out.append("^")
                out.extend(t.text for t in power)
        elif token.kind == COMMA:
            end_term(token.start)
            out.append(",")
            frames[-1].out_start, frames[-1].source_start = len(out), token.end
        else:
            if token.kind == OP and token.text in "+-" and not unary:
                end_term(token.start)
                frames[-1].out_start, frames[-1].source_start = len(out) + 1, token.end
            out.append(token.text)
            if token.kind == OP and token.text == "/":
                frames[-1].divided = True
            elif token.kind == OP and token.text == "^" and frames[-1].bare is not None:
                frames[-1].powered = True
        previous = token
    close_bare(len(text))
    end_term(len(text))
    return "".join(out)
