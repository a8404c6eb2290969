"""Property-based tests of the parsing layer that every collector stands on.

Real repositories contain every kind of broken file. These properties pin the contract collectors
rely on: the tree's parsers never raise (a failure is `None`/`[]` plus one warning naming the
file), the HCL layer either parses or raises an ordinary exception, front matter never raises,
redaction never lets a generated token through, and production names are recognised.
"""

from __future__ import annotations

import itertools
import json
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import block_headers, blocks, parse_hcl
from wafops.scanner.core.vocabulary import front_matter, is_production, redact

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HCL_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_counter = itertools.count()

# Text that looks like config: the characters YAML, JSON and HCL care about, plus words.
CONFIG_CHARS = string.ascii_letters + string.digits + ' \t\n:-[]{}"\'#&*!|>,=.$/\\_%@`'
configish = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=CONFIG_CHARS, max_size=300),
    st.lists(
        st.sampled_from(
            ["key: value\n", "- item\n", "  nested: [1, 2\n", '{"a": ', "}\n", "]", 'resource "a" "b" {\n',
             "  x = 1\n", "}\n", "---\n", "\t", "&anchor ", "*anchor\n", "!Ref x\n", "on:\n", "  push:\n",
             '"unterminated', "=\n", "${var.x}\n", "<<EOF\nheredoc\n", "EOF\n", "# comment\n"]
        ),
        max_size=25,
    ).map("".join),
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("props")


def _tree_with(root: Path, suffix: str, content: str | bytes) -> tuple[RepoTree, str]:
    """A fresh tree over one new file (unique name, so no per-path cache hides a case)."""
    name = f"f{next(_counter)}{suffix}"
    path = root / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
    tree = RepoTree(root)
    tree.files = [name]
    return tree, name


def _assert_failure_is_a_warning(tree: RepoTree, name: str, result: object, empty: object) -> None:
    named = [w for w in tree.warnings if w.path == name]
    assert all(w.path == name for w in tree.warnings)
    if named:
        assert len(named) == 1, named
        assert result == empty
        assert named[0].message.strip()


# ---- RepoTree never raises ------------------------------------------------------------------


@FAST
@given(text=configish)
def test_tree_yaml_never_raises(repo: Path, text: str) -> None:
    tree, name = _tree_with(repo, ".yml", text)
    docs = tree.yaml_docs(name)
    first = tree.yaml(name)
    assert isinstance(docs, list)
    assert first == (docs[0] if docs else None)
    _assert_failure_is_a_warning(tree, name, docs, [])


@FAST
@given(text=configish)
def test_tree_json_never_raises(repo: Path, text: str) -> None:
    tree, name = _tree_with(repo, ".json", text)
    value = tree.json(name)
    _assert_failure_is_a_warning(tree, name, value, None)
    raw = tree.text(name)
    if raw is None:  # binary: skipped with its own warning
        assert value is None and tree.warnings
        return
    try:
        expected = json.loads(raw)
    except ValueError:
        assert value is None
        assert any("malformed JSON" in w.message for w in tree.warnings)
    else:
        assert value == expected or (value != value and expected != expected)  # NaN != NaN


@HCL_SETTINGS
@given(text=configish)
def test_tree_hcl_never_raises(repo: Path, text: str) -> None:
    tree, name = _tree_with(repo, ".tf", text)
    value = tree.hcl(name)
    assert value is None or isinstance(value, dict)
    _assert_failure_is_a_warning(tree, name, value, None)
    if value is None and tree.text(name) is not None:
        assert any("malformed HCL" in w.message for w in tree.warnings)


@FAST
@given(data=st.binary(max_size=400))
def test_tree_text_on_arbitrary_bytes(repo: Path, data: bytes) -> None:
    tree, name = _tree_with(repo, ".yaml", data)
    text = tree.text(name)
    if b"\x00" in data:
        assert text is None
        assert [w.message for w in tree.warnings] == ["skipped: binary file"]
    else:
        assert isinstance(text, str)
    assert isinstance(tree.yaml_docs(name), list)  # and parsing whatever came back never raises


# ---- the HCL layer ---------------------------------------------------------------------------


@HCL_SETTINGS
@given(text=configish)
def test_parse_hcl_returns_a_dict_or_raises_an_ordinary_exception(text: str) -> None:
    try:
        value = parse_hcl(text)
    except Exception:  # noqa: BLE001 - any Exception is fine: RepoTree turns it into a warning
        return
    assert isinstance(value, dict)
    for block in blocks(value):  # flattening whatever parsed never raises either
        assert isinstance(block.labels, tuple)


ident = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
scalar = st.one_of(
    st.integers(-10_000, 10_000),
    st.booleans(),
    st.text(alphabet=string.ascii_letters + string.digits + " -_./:", max_size=20),
)


@HCL_SETTINGS
@given(
    resources=st.lists(
        st.tuples(ident, ident, st.dictionaries(ident, scalar, max_size=4)), min_size=1, max_size=5,
        unique_by=lambda r: (r[0], r[1]),
    )
)
def test_generated_resources_round_trip(resources: list[tuple[str, str, dict[str, object]]]) -> None:
    lines = []
    for rtype, rname, attrs in resources:
        lines.append(f'resource "{rtype}" "{rname}" {{')
        for key, val in attrs.items():
            rendered = json.dumps(val) if not isinstance(val, bool) else str(val).lower()
            lines.append(f"  {key} = {rendered}")
        lines.append("}")
    text = "\n".join(lines) + "\n"

    headers = block_headers(text)
    assert [(h[0], h[1], h[2]) for h in headers] == [("resource", t, n) for t, n, _ in resources]

    got = {b.labels: b.body for b in blocks(parse_hcl(text)) if b.type == "resource"}
    assert set(got) == {(t, n) for t, n, _ in resources}
    for rtype, rname, attrs in resources:
        body = got[(rtype, rname)]
        for key, val in attrs.items():
            assert body[key] == val, (key, body)


# ---- front matter ----------------------------------------------------------------------------


@FAST
@given(text=st.one_of(configish, configish.map(lambda t: "---\n" + t), configish.map(lambda t: f"---\n{t}\n---\nbody")))
def test_front_matter_never_raises(text: str) -> None:
    assert isinstance(front_matter(text), dict)


fm_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.text(alphabet=string.ascii_letters + string.digits + " -_:.#'\"/", max_size=30),
    st.lists(st.text(alphabet=string.ascii_letters, max_size=8), max_size=3),
)


@FAST
@given(meta=st.dictionaries(ident, fm_value, max_size=6), body=st.text(max_size=200))
def test_front_matter_round_trips(meta: dict[str, object], body: str) -> None:
    doc = "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + body
    assert front_matter(doc) == meta


def test_front_matter_keeps_dates_as_dates() -> None:
    """Collectors compare `last_reviewed`/`date` with the scan date; YAML gives datetime.date."""
    import datetime as dt

    meta = front_matter("---\ntitle: DB failover\nlast_reviewed: 2026-10-01\n---\n# Runbook\n")
    assert meta == {"title": "DB failover", "last_reviewed": dt.date(2026, 10, 1)}


# ---- redaction -------------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
tokens = st.one_of(
    st.text(alphabet=ALNUM, min_size=36, max_size=36).map(lambda s: "ghp_" + s),
    st.text(alphabet=ALNUM, min_size=36, max_size=40).map(lambda s: "gho_" + s),
    st.text(alphabet=ALNUM + "_-", min_size=20, max_size=26).map(lambda s: "glpat-" + s),
    st.text(alphabet=string.ascii_uppercase + string.digits, min_size=16, max_size=16).map(lambda s: "AKIA" + s),
    st.text(alphabet=ALNUM + "-", min_size=10, max_size=40).map(lambda s: "xoxb-" + s),
)
surrounding = st.text(alphabet=string.printable, max_size=80)


@FAST
@given(before=surrounding, token=tokens, after=surrounding)
def test_redact_never_leaks_a_generated_token(before: str, token: str, after: str) -> None:
    out = redact(before + token + after)
    assert token not in out
    assert len(out) <= 300


@FAST
@given(
    key=st.sampled_from(["password", "PASSWORD", "secret", "token", "api_key", "api-key", "apikey"]),
    sep=st.sampled_from(["=", ": ", ":", " = "]),
    value=st.text(alphabet=ALNUM + "!$%^&*()+", min_size=6, max_size=30),
    before=surrounding,
)
def test_redact_masks_assigned_secrets(key: str, sep: str, value: str, before: str) -> None:
    assume(value not in before)
    out = redact(f"{before} {key}{sep}{value}")
    assert value not in out


@FAST
@given(user=st.text(alphabet=ALNUM, min_size=1, max_size=12), pw=st.text(alphabet=ALNUM, min_size=8, max_size=20))
def test_redact_masks_credentials_in_urls(user: str, pw: str) -> None:
    out = redact(f"git clone https://{user}:{pw}@github.com/acme/repo.git")
    # a password that is a word of the masked text itself ("redacted") cannot be told apart from it
    assume(pw not in "git clone https://redacted@github.com/acme/repo.git")
    assert pw not in out


@FAST
@given(text=st.text(alphabet=string.ascii_letters + " .,", max_size=250))
def test_redact_leaves_plain_text_alone(text: str) -> None:
    assume(not any(w in text.lower() for w in ("password", "passwd", "secret", "token", "api")))
    assert redact(text) == text


# ---- production names (D-PROD) ---------------------------------------------------------------

PROD = ["prod", "production", "prd", "live", "PROD", "Production", "prod-eu-west-1", "production_us",
        "live-blue", "prd-01", " prod ", "Prod eu"]
NOT_PROD = ["staging", "stage", "dev", "development", "qa", "test", "uat", "preprod", "pre-prod", "nonprod",
            "non-prod", "pr-123", "preview", "sandbox", "reproduction", "products", "liveness", "prodigy", "",
            None, "review/feature-x", "staging-prod-like"]


@pytest.mark.parametrize("name", PROD)
def test_known_production_names(name: str) -> None:
    assert is_production(name)


@pytest.mark.parametrize("name", NOT_PROD)
def test_known_non_production_names(name: str | None) -> None:
    assert not is_production(name)


@FAST
@given(
    base=st.sampled_from(["prod", "production", "prd", "live"]),
    sep=st.sampled_from(["-", "_"]),
    rest=st.text(alphabet=ALNUM + "-_", max_size=20),
    upper=st.booleans(),
)
def test_production_prefix_with_separator(base: str, sep: str, rest: str, upper: bool) -> None:
    name = base + sep + rest
    assert is_production(name.upper() if upper else name)


@FAST
@given(prefix=st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6),
       base=st.sampled_from(["prod", "production", "prd", "live"]))
def test_words_ending_in_prod_are_not_production(prefix: str, base: str) -> None:
    assert not is_production(prefix + base)


def test_production_pattern_is_configurable() -> None:
    assert is_production("main-cluster", r"^main-")
    assert not is_production("prod", r"^main-")
