"""python-hcl2's parse, with its tree transformer applied while lark parses instead of after.

Why: python-hcl2 parses in three passes: lark builds a parse tree (positions on every node), python-hcl2's
`RuleTransformer` walks that tree into its rule objects, and those serialise to the dict we read. Lark
can instead call the transformer's methods as each rule is reduced (its documented `transformer=` option,
"equivalent to applying it after the parse, but faster"): no intermediate tree, no second walk. On the
Terraform blocks of the benchmark's tree this costs 0.74x the CPU of `hcl2.loads`, and the parse is the
largest part of a cold scan.

The result is the same dict `hcl2.loads` gives, by construction (the same grammar, parse tables, token
stream and transformer methods; tokens are converted as lark's transformer converts them) and by test
(`tests/test_hcl_parser.py` compares both on tricky texts, on generated ones and on every .tf file the
tests hold). Two adaptations, because lark's inline mode calls a rule's method with its children only:
- the methods that take the rule's position (`v_args(meta=True)`) get an empty one: positions reach the
  dict only with `with_meta`, which we never ask for;
- a rule's token children are converted (`__default_token__` or the token's own method) before its
  method runs, where lark's tree walk would have converted them on the way down.

The parse tables are python-hcl2's own, loaded from the cache file python-hcl2 keeps beside itself: the
options lark hashes to name that cache are passed exactly as python-hcl2 passes them (the transformer is
not among them). When python-hcl2's internals are not the ones this was written against, `parser()`
is None and `hcl.parse_hcl` uses `hcl2.loads`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lark import Discard, Token, Tree
from lark.exceptions import GrammarError, VisitError
from lark.tree import Meta


class _Inline:
    """The callbacks lark's LALR parser calls on each reduction: RuleTransformer's methods, adapted."""

    def __init__(self, rules: Any) -> None:
        self._rules = rules
        self._tokens = getattr(rules, "__visit_tokens__", True)

    def _token(self, token: Token) -> Any:
        """What lark's Transformer does with a token: the method named for its type, else __default_token__;
        a failure raised as lark raises it (VisitError naming the rule or token, so that the warning for a
        file that does not parse reads the same)."""
        method = getattr(self._rules, token.type, None)
        if method is None:
            return self._rules.__default_token__(token)
        try:
            return method(token)
        except GrammarError:
            raise
        except Exception as err:
            raise VisitError(token.type, token, err) from err

    def _children(self, children: list[Any]) -> list[Any]:
        if self._tokens:
            children = [self._token(c) if isinstance(c, Token) else c for c in children]
        return [c for c in children if c is not Discard]

    def __getattr__(self, name: str) -> Callable[[list[Any]], Any]:
        """The callback for rule `name`; AttributeError (lark then uses `__default__`) for a rule the
        transformer has no method for, and for token names (tokens are converted by their parent)."""
        if name.startswith("_") or name.isupper():
            raise AttributeError(name)
        method = getattr(self._rules, name)
        wrapper = getattr(method, "visit_wrapper", None)

        def callback(children: list[Any]) -> Any:
            kids = self._children(children)
            try:
                return wrapper(method, name, kids, Meta()) if wrapper is not None else method(kids)
            except GrammarError:
                raise
            except Exception as err:
                raise VisitError(name, None, err) from err

        return callback

    def __default__(self, data: str, children: list[Any], meta: Any) -> Tree:
        return Tree(data, self._children(children))


@functools.lru_cache(maxsize=1)
def parser() -> Any:
    """The inline-transforming lark parser, or None when python-hcl2 is not laid out as expected."""
    try:
        from hcl2 import parser as hcl2_parser
        from hcl2.api import serialize  # noqa: F401  (used by parse(); checked here, once)
        from hcl2.postlexer import PostLexer
        from hcl2.transformer import RuleTransformer
        from lark import Lark

        # python-hcl2's own call, in the same order and with the same values: lark names its cache
        # file's content by a hash of these options, so both load the same tables
        return Lark.open(
            "hcl2.lark",
            parser="lalr",
            cache=str(hcl2_parser.PARSER_FILE),
            rel_to=hcl2_parser.__file__,
            propagate_positions=True,
            postlex=PostLexer(),
            transformer=_Inline(RuleTransformer()),
        )
    except Exception:  # an older or newer python-hcl2: its own loads() is used instead
        return None


def parse(text: str, options: Any) -> dict[str, Any]:
    """What `hcl2.loads(text, serialization_options=options)` returns (raises as it does on bad HCL)."""
    from hcl2.api import serialize

    fast = parser()
    if fast is None:
        import hcl2

        return hcl2.loads(text, serialization_options=options)
    # hcl2.api.parses_to_tree appends the same line break (lark has no end-of-file token)
    return serialize(fast.parse(text + "\n"), serialization_options=options)
