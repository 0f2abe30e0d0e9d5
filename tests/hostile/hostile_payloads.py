"""The hostile corpus: text that tries to run code, hide characters, or exhaust the machine.

Each entry is (name, text, kind): `kind` is the DiffCompareError kind the parser must refuse it
with. ``{canary}`` in a text stands for a file the payload would create if any of it ran.
"""

from __future__ import annotations

TOUCH = "touch {canary}"

CODE_INJECTION: list[tuple[str, str, str]] = [
    ("dunder import", "__import__('os').system('touch {canary}')", "parse"),
    ("dunder import no quotes", "__import__(os).system(x)", "parse"),
    ("import statement", "import os; os.system('touch {canary}')", "parse"),
    ("from import", "from os import system", "parse"),
    ("eval", "eval(\"__import__('os').system('touch {canary}')\")", "parse"),
    ("eval no quotes", "eval(x)", "parse"),
    ("exec", "exec(\"open('{canary}', 'w')\")", "parse"),
    ("exec no quotes", "exec(x)", "parse"),
    ("compile", "compile(x, y, z)", "parse"),
    ("open write", "open('{canary}', 'w').write('x')", "parse"),
    ("open no quotes", "open(x)", "parse"),
    ("os.system", "os.system('touch {canary}')", "parse"),
    ("os system attr", "os.system", "parse"),
    ("subprocess", "subprocess.run(['touch', '{canary}'])", "parse"),
    ("subclasses", "().__class__.__bases__[0].__subclasses__()", "parse"),
    ("subclasses on number", "(1).__class__.__mro__[-1].__subclasses__()", "parse"),
    ("class attr", "x.__class__", "parse"),
    ("globals", "globals()['__builtins__']", "parse"),
    ("builtins", "__builtins__.open('{canary}', 'w')", "parse"),
    ("getattr", "getattr(x, 'y')", "parse"),
    ("lambda", "lambda: __import__('os').system('touch {canary}')", "parse"),
    ("lambda call", "(lambda x: x)(1)", "parse"),
    ("lambda bare", "lambda x: x", "parse"),
    ("list comprehension", "[x for x in range(10)]", "parse"),
    ("generator", "sum(x for x in range(10**9))", "parse"),
    ("dict comprehension", "{x: x for x in y}", "parse"),
    ("set literal", "{1, 2}", "parse"),
    ("f-string", 'f\'{__import__("os").system("touch {canary}")}\'', "parse"),
    ("f-string bare", "f'{x}'", "parse"),
    ("walrus", "(y := __import__('os'))", "parse"),
    ("walrus bare", "(y := 2)", "parse"),
    ("semicolon", "x; __import__('os').system('touch {canary}')", "parse"),
    ("newline statement", "x\nimport os\nos.system('touch {canary}')", "parse"),
    ("newline assignment", "x\ny = 1", "parse"),
    ("carriage return", "x\r__import__('os')", "parse"),
    ("backticks", "`touch {canary}`", "parse"),
    ("shell substitution", "$(touch {canary})", "parse"),
    ("shell and", "x && touch {canary}", "parse"),
    ("shell pipe", "x | sh", "parse"),
    ("shell redirect", "x > {canary}", "parse"),
    ("string literal", "'x'", "parse"),
    ("bytes literal", "b'x'", "parse"),
    ("subscript", "x[0]", "parse"),
    ("attribute on call", "sin(x).evalf()", "parse"),
    ("method on number", "1 .real", "parse"),
    ("keyword argument", "log(x, base=2)", "parse"),
    ("star args", "sin(*x)", "parse"),
    ("double star args", "sin(**x)", "parse"),
    ("comparison", "x == x", "parse"),
    ("boolean", "x and y", "parse"),
    ("conditional", "x if x else y", "parse"),
    ("not", "not x", "parse"),
    ("yield", "(yield x)", "parse"),
    ("await", "await x", "parse"),
    ("decorator", "@x", "parse"),
    ("floor division", "x // 2", "parse"),
    ("modulo format", "'%s' % x", "parse"),
    ("matrix multiply", "x @ x", "parse"),
    ("bitwise not", "~x", "parse"),
    ("complex literal", "1j * x", "parse"),
    ("hex literal", "0x10 * x", "parse"),
    ("underscore literal", "1_000 * x", "parse"),
    ("sympy Symbol", "Symbol('x')", "parse"),
    ("sympy Symbol no quotes", "Symbol(x)", "parse"),
    ("sympy Lambda", "Lambda(x, x**2)", "parse"),
    ("sympy Function", "Function(f)(x)", "parse"),
    ("sympy sympify", "sympify(x)", "parse"),
    ("sympy Integral", "Integral(x, x)", "parse"),
    ("sympy factorial", "factorial(10**7)", "parse"),
    ("sympy gamma", "gamma(x)", "parse"),
    ("numpy call", "np.sin(x)", "parse"),
    ("mpmath call", "mpmath.mp.dps", "parse"),
    ("breakpoint", "breakpoint()", "parse"),
    ("exit", "exit()", "parse"),
    ("print", "print(x)", "parse"),
    ("input", "input()", "parse"),
    ("vars", "vars()", "parse"),
    ("type call", "type(x)", "parse"),
    ("template injection", "{{x}}", "parse"),
    ("sql", "x'; DROP TABLE students; --", "parse"),
    ("html", "<script>alert(1)</script>", "parse"),
    ("comment hides code", "x # __import__('os')", "parse"),
]

LOOKALIKES: list[tuple[str, str, str]] = [
    ("fullwidth x", "\uff58**2", "parse"),
    ("fullwidth sin", "\uff53\uff49\uff4e(x)", "parse"),
    ("fullwidth parens", "sin\uff08x\uff09", "parse"),
    ("fullwidth digits", "\uff12*x", "parse"),
    ("cyrillic x", "\u0445**2", "parse"),
    ("cyrillic e in exp", "\u0435xp(x)", "parse"),
    ("cyrillic o in cos", "c\u043es(x)", "parse"),
    ("greek omicron", "c\u03bfs(x)", "parse"),
    ("greek pi", "2*\u03c0*x", "parse"),
    ("multiplication sign", "2\u00d7x", "parse"),
    ("middle dot", "2\u00b7x", "parse"),
    ("unicode minus", "x \u2212 1", "parse"),
    ("en dash", "x \u2013 1", "parse"),
    ("division sign", "x \u00f7 2", "parse"),
    ("superscript two", "x\u00b2", "parse"),
    ("superscript nine", "x\u2079", "parse"),
    ("square root sign", "\u221ax", "parse"),
    ("mathematical italic x", "\U0001d465 + 1", "parse"),
    ("arabic indic digit", "\u0662*x", "parse"),
    ("smart quotes", "\u201cx\u201d", "parse"),
    ("modifier letter", "x\u02b8", "parse"),
]

INVISIBLE: list[tuple[str, str, str]] = [
    ("zero width space", "x\u200b+1", "parse"),
    ("zero width joiner", "s\u200din(x)", "parse"),
    ("byte order mark", "\ufeffx", "parse"),
    ("right to left override", "x\u202e+1", "parse"),
    ("left to right isolate", "\u2066x\u2069", "parse"),
    ("soft hyphen", "x\u00ad1", "parse"),
    ("word joiner", "x\u2060*2", "parse"),
    ("no break space", "x\u00a0+ 1", "parse"),
    ("ideographic space", "x\u3000+ 1", "parse"),
    ("line separator", "x\u2028+1", "parse"),
    ("hangul filler", "x\u3164", "parse"),
    ("nul byte", "x\x00+1", "parse"),
    ("nul then code", "x\x00__import__('os').system('touch {canary}')", "parse"),
    ("escape sequence", "x\x1b[2J", "parse"),
    ("bell", "x\x07", "parse"),
    ("vertical tab", "x\x0b+1", "parse"),
    ("form feed", "x\x0c+1", "parse"),
    ("lone surrogate", "x\udc80", "parse"),
    ("private use", "x\ue000", "parse"),
    ("tag character", "x\U000e0041", "parse"),
]

GROWTH: list[tuple[str, str, str]] = [
    ("power tower", "9**9**9", "limit"),
    ("power tower caret", "9^9^9^9", "limit"),
    ("parenthesised tower", "((9**9)**9999)**9999", "limit"),
    ("tower times x", "9**9**9*x", "limit"),
    ("tower in exponent of x", "x**(9**9**9)", "limit"),
    ("exp tower", "exp(exp(exp(10)))", "limit"),
    ("cosh tower", "cosh(cosh(cosh(100)))", "limit"),
    ("fraction tower", "(2/3)**(10**6)", "limit"),
    ("repeated squaring", "(" * 11 + "(99**99)" + "**2)" * 11, "limit"),
    ("huge product", "*".join(["(10**99)"] * 60), "limit"),
    ("huge literal", "1" + "0" * 400, "limit"),
    ("huge literal digits", "1" * 101, "limit"),
    ("huge exponent", "1e400*x", "limit"),
    ("tiny exponent", "1e-400*x", "limit"),
    ("astronomical exponent", "1e99999999999999999999*x", "limit"),
    ("long decimal", "0." + "1" * 150, "limit"),
    ("deep parentheses", "(" * 10_000 + "x" + ")" * 10_000, "limit"),
    ("deep parentheses within length", "(" * 4_000 + "x" + ")" * 4_000, "limit"),
    ("deep calls", "sin(" * 1_000 + "x" + ")" * 1_000, "limit"),
    ("deep unary minus", "-" * 5_000 + "x", "limit"),
    ("long sum", "+".join(["x"] * 3_000), "limit"),
    ("megabyte", "x+" * 500_000 + "x", "limit"),
    ("megabyte of spaces", " " * 1_000_000 + "x", "limit"),
    ("megabyte of nul", "\x00" * 1_000_000, "limit"),
    ("thousands of variables", "", "limit"),  # built below: a balanced sum of 1000 names
    ("too many nodes", "", "limit"),  # built below: a balanced sum of 1500 terms x*x
]

MALFORMED: list[tuple[str, str, str]] = [
    ("empty", "", "parse"),
    ("only spaces", "   ", "parse"),
    ("unclosed", "sin(x", "parse"),
    ("unopened", "x)", "parse"),
    ("dangling operator", "x +", "parse"),
    ("double operator", "x * / 2", "parse"),
    ("empty call", "sin()", "parse"),
    ("wrong arity", "atan2(x)", "parse"),
    ("unknown function", "sinn(x)", "parse"),
    ("malformed number", "1.2.3", "parse"),
    ("exponent without digits", "1e+", "parse"),
    ("empty parentheses", "()", "parse"),
    ("trailing comma", "log(x,)", "parse"),
]


def _balanced_sum(terms: list[str]) -> str:
    # balanced so that depth stays small and the variable or node limit is what refuses it
    while len(terms) > 1:
        pairs = [f"({a}+{b})" for a, b in zip(terms[::2], terms[1::2], strict=False)]
        terms = pairs + ([terms[-1]] if len(terms) % 2 else [])
    return terms[0]


def corpus() -> list[tuple[str, str, str]]:
    growth = []
    for name, text, kind in GROWTH:
        if name == "thousands of variables":
            text = _balanced_sum([f"v{i}" for i in range(1_000)])
        elif name == "too many nodes":
            text = _balanced_sum(["x*x"] * 1_500)
        growth.append((name, text, kind))
    return CODE_INJECTION + LOOKALIKES + INVISIBLE + growth + MALFORMED
