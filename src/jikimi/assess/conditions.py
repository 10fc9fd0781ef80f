"""A small, safe condition language for the rules' ``when`` clauses.

Why not ``eval()``: rule files are data that people edit and review; a condition must not be able
to run code, and a typo in a fact name must fail when the rules are loaded, not silently evaluate
to false in front of an operator. So conditions are parsed by a tiny recursive-descent parser into
a tree of comparisons over a fixed set of named facts, and evaluating one also records which facts
decided it, which becomes the duty's "why".

Grammar (keywords are lower case)::

    expr    := and_expr ("or" and_expr)*
    and_expr:= not_expr ("and" not_expr)*
    not_expr:= "not" not_expr | compare
    compare := value (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") value)?
    value   := NAME | NUMBER | STRING | "true" | "false" | "null" | "[" [value ("," value)*] "]"
             | "(" expr ")"

A bare name is true when its fact is truthy (non-empty, non-zero, not null). ``x in NAME`` tests
membership in a list-valued fact; ``NAME in [..]`` tests a fact against a literal list.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

FactValue = bool | int | float | str | None | tuple[str, ...]
"""What a fact may hold: scalars, or a tuple of strings (e.g. the declared use areas)."""


class ConditionError(ValueError):
    """A condition that does not parse or names an unknown fact."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})


@dataclass(frozen=True, slots=True)
class _Lit:
    value: FactValue | tuple[FactValue, ...]


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Cmp:
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Not:
    arg: _Node


@dataclass(frozen=True, slots=True)
class _Bool:
    op: str  # "and" | "or"
    args: tuple[_Node, ...]


_Node = _Lit | _Name | _Cmp | _Not | _Bool


def _tokenize(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ConditionError(f"unexpected character {text[pos:pos + 1]!r} at {pos} in {text!r}")
        kind = m.lastgroup or ""
        val = m.group(kind)
        if kind == "name" and val in _KEYWORDS:
            kind = "kw"
        out.append((kind, val))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, names: Collection[str]) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.names = names

    def _peek(self, ahead: int = 0) -> tuple[str, str]:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else ("end", "")

    def _take(self, val: str | None = None) -> tuple[str, str]:
        tok = self._peek()
        if val is not None and tok[1] != val:
            raise ConditionError(f"expected {val!r}, found {tok[1] or 'end'!r} in {self.text!r}")
        self.i += 1
        return tok

    def parse(self) -> _Node:
        node = self._or()
        if self._peek()[0] != "end":
            raise ConditionError(f"unexpected {self._peek()[1]!r} in {self.text!r}")
        return node

    def _or(self) -> _Node:
        args = [self._and()]
        while self._peek() == ("kw", "or"):
            self._take()
            args.append(self._and())
        return args[0] if len(args) == 1 else _Bool("or", tuple(args))

    def _and(self) -> _Node:
        args = [self._not()]
        while self._peek() == ("kw", "and"):
            self._take()
            args.append(self._not())
        return args[0] if len(args) == 1 else _Bool("and", tuple(args))

    def _not(self) -> _Node:
        if self._peek() == ("kw", "not") and self._peek(1) != ("kw", "in"):
            self._take()
            return _Not(self._not())
        return self._compare()

    def _compare(self) -> _Node:
        left = self._value()
        kind, val = self._peek()
        if kind == "op" and val in ("==", "!=", "<", "<=", ">", ">="):
            self._take()
            return _Cmp(val, left, self._value())
        if (kind, val) == ("kw", "in"):
            self._take()
            return _Cmp("in", left, self._value())
        if (kind, val) == ("kw", "not") and self._peek(1) == ("kw", "in"):
            self._take()
            self._take()
            return _Cmp("not in", left, self._value())
        return left

    def _value(self) -> _Node:
        kind, val = self._take()
        if kind == "num":
            return _Lit(float(val) if any(c in val for c in ".eE") else int(val))
        if kind == "str":
            return _Lit(val[1:-1])
        if kind == "kw" and val in ("true", "false", "null"):
            return _Lit({"true": True, "false": False, "null": None}[val])
        if kind == "name":
            if val not in self.names:
                raise ConditionError(f"unknown fact {val!r} in {self.text!r}")
            return _Name(val)
        if (kind, val) == ("op", "("):
            node = self._or()
            self._take(")")
            return node
        if (kind, val) == ("op", "["):
            items: list[FactValue] = []
            while self._peek()[1] != "]":
                item = self._value()
                if not isinstance(item, _Lit) or isinstance(item.value, tuple):
                    raise ConditionError(f"list items must be literals in {self.text!r}")
                items.append(item.value)
                if self._peek()[1] == ",":
                    self._take()
            self._take("]")
            return _Lit(tuple(items))
        raise ConditionError(f"unexpected {val or 'end'!r} in {self.text!r}")


def _show(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, tuple):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed condition; evaluate it against facts to get the result and the deciding facts."""

    text: str
    tree: _Node
    names: frozenset[str]

    def evaluate(self, facts: Mapping[str, FactValue]) -> tuple[bool, list[str]]:
        """Return the truth value and, in evaluation order, ``name = value`` for each fact read."""
        trace: list[str] = []
        result = _truthy(_eval(self.tree, facts, trace))
        seen: dict[str, None] = {}
        for t in trace:
            seen.setdefault(t, None)
        return result, list(seen)


def _truthy(v: object) -> bool:
    return bool(v)


def _eval(node: _Node, facts: Mapping[str, FactValue], trace: list[str]) -> object:
    if isinstance(node, _Lit):
        return node.value
    if isinstance(node, _Name):
        val = facts[node.name]
        trace.append(f"{node.name} = {_show(val)}")
        return val
    if isinstance(node, _Not):
        return not _truthy(_eval(node.arg, facts, trace))
    if isinstance(node, _Bool):
        if node.op == "and":
            for a in node.args:
                if not _truthy(_eval(a, facts, trace)):
                    return False
            return True
        for a in node.args:
            if _truthy(_eval(a, facts, trace)):
                return True
        return False
    left = _eval(node.left, facts, trace)
    right = _eval(node.right, facts, trace)
    return _compare(node.op, left, right)


def _compare(op: str, left: object, right: object) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op in ("in", "not in"):
        if isinstance(right, (tuple, list)) or isinstance(right, str) and isinstance(left, str):
            found = left in right
        else:
            found = False
        return found if op == "in" else not found
    if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
        return False  # a missing figure (null) never satisfies a threshold
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def _names(node: _Node) -> set[str]:
    if isinstance(node, _Name):
        return {node.name}
    if isinstance(node, _Not):
        return _names(node.arg)
    if isinstance(node, _Bool):
        return set().union(*(_names(a) for a in node.args))
    if isinstance(node, _Cmp):
        return _names(node.left) | _names(node.right)
    return set()


def compile_condition(text: str, known: Collection[str]) -> Condition:
    """Parse ``text``; every fact it names must be in ``known`` (typos fail at load time)."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be a non-empty string")
    tree = _Parser(text, known).parse()
    return Condition(text, tree, frozenset(_names(tree)))


def evaluate(text: str, facts: Mapping[str, FactValue]) -> bool:
    """Convenience: parse against the facts' own names and evaluate."""
    return compile_condition(text, facts.keys()).evaluate(facts)[0]


__all__ = ["Condition", "ConditionError", "FactValue", "compile_condition", "evaluate"]
