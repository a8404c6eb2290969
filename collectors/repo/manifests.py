"""Dependency manifests, parsed with real parsers (shared by several collectors).

Why a parser per format instead of one regex over every file: a package name inside a comment, a
lock file's transitive closure or a `devDependencies` block says nothing about what a service runs.
Each parser returns `Dependency(ecosystem, package, is_dev)` tuples; `is_dev` marks test, lint and
build-only dependencies (npm `devDependencies`, Maven `<scope>test</scope>`, Gradle `test*`
configurations, Poetry/PDM dev groups, Gemfile `:development`/`:test` groups, `requirements-dev.txt`).

Parsers never raise: a file that cannot be parsed yields no dependencies and a warning (through
`RepoTree`, or the `warn` callback for formats the tree does not parse itself).
"""

from __future__ import annotations

import configparser
import posixpath
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import NamedTuple

from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.vocabulary import DOC_DIRS, is_sample_path


class Dependency(NamedTuple):
    ecosystem: str  # python, node, go, java, dotnet, ruby, rust
    package: str
    is_dev: bool


Warn = Callable[[str, str], None]  # (path, message)

# Manifests under these directories describe examples, fixtures or docs, not the repository's own code.
_MANIFEST_SKIP_DIRS = DOC_DIRS | frozenset({"templates", "template", "third_party", "third-party", "playground"})

_DEV_NAME = re.compile(r"(?i)(^|[-_.])(dev|develop|development|test|tests|testing|lint|linting|docs?|ci|typing|types|"
                       r"mypy|style|format|bench|build|tools?|local)([-_.]|$)")
_PY_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def manifest_paths(tree: RepoTree) -> list[str]:
    """Every file a parser below understands (node_modules/vendor are already skipped by the tree)."""
    out = []
    for f in tree.files:
        name = f.rsplit("/", 1)[-1].lower()
        if _parser_for(name, f) is not None:
            out.append(f)
    return out


def is_product_manifest(path: str) -> bool:
    """False for manifests of examples, tests, docs and templates (they do not describe what runs)."""
    return not is_sample_path(path, _MANIFEST_SKIP_DIRS) and not re.search(r"(?i)(^|/)scaffold\w*/", path)


def parse_manifest(tree: RepoTree, path: str, warn: Warn | None = None) -> list[Dependency]:
    """The dependencies declared in one manifest ([] when unknown format, unreadable or malformed)."""
    name = path.rsplit("/", 1)[-1].lower()
    parser = _parser_for(name, path)
    if parser is None:
        return []
    text = tree.text(path)
    if text is None:
        return []
    try:
        deps = parser(tree, path, text)
    except Exception as err:  # a parser bug or an odd file must never sink the scan
        if warn:
            warn(path, f"cannot parse dependency manifest: {str(err).splitlines()[0][:200] if str(err) else type(err).__name__}")
        return []
    seen: dict[tuple[str, str], Dependency] = {}
    for d in deps:
        key = (d.ecosystem, d.package)
        # a package listed as runtime anywhere in the file is runtime
        if key not in seen or (seen[key].is_dev and not d.is_dev):
            seen[key] = d
    return list(seen.values())


def _parser_for(name: str, path: str = "") -> Callable[[RepoTree, str, str], list[Dependency]] | None:
    if name.endswith((".txt", ".in")) and "/requirements/" in "/" + path.lower():
        return _requirements
    if ".egg-info/" in path or "/site-packages/" in path:
        return None  # generated metadata, not a manifest someone maintains
    if name.endswith(".txt") and name.startswith(("requirements", "constraints")):
        return _requirements
    if name.endswith(".in") and name.startswith("requirements"):
        return _requirements
    if name.endswith((".csproj", ".fsproj", ".vbproj")):
        return _dotnet
    return _PARSERS.get(name)


# ---- Python ---------------------------------------------------------------------------------------


def _py_norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _py_req(spec: str, dev: bool) -> Dependency | None:
    spec = spec.strip()
    if not spec or spec.startswith(("#", "-", "git+", "http:", "https:", "file:", ".", "/")):
        return None
    m = _PY_NAME.match(spec)
    if not m:
        return None
    return Dependency("python", _py_norm(m.group(1)), dev)


def _requirements(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    name = path.rsplit("/", 1)[-1]
    parent = path.rsplit("/", 2)[-2] if path.count("/") >= 1 else ""
    stem = name.rsplit(".", 1)[0]
    # requirements-dev.txt, requirements/test.txt, dev-requirements.txt
    dev = bool(_DEV_NAME.search(stem.replace("requirements", "").replace("constraints", "")))
    if parent.lower() == "requirements":
        dev = dev or bool(_DEV_NAME.search(stem))
    out = []
    plugin_only = False  # the requirement below a `# app.components.<name>` comment belongs to one plugin
    for raw in text.splitlines():
        if raw.lstrip().startswith("#"):
            plugin_only = plugin_only or bool(_PLUGIN_COMMENT.match(raw.strip()))
            continue
        if not raw.strip():
            plugin_only = False
            continue
        line = raw.split(" #", 1)[0].strip()
        if plugin_only:
            # Home Assistant's requirements_all.txt shape: every integration's optional dependency under a
            # comment naming the integration module. The app does not run them itself - a user who enables
            # that integration does - so they are not the app's runtime (a `sentry-sdk` there is the Sentry
            # integration's, not the team's error tracking).
            d = _py_req(line, True)
            if d:
                out.append(d)
            continue
        if line.startswith("-e ") or line.startswith("--editable"):
            egg = re.search(r"#egg=([A-Za-z0-9._-]+)", raw)
            if egg:
                out.append(Dependency("python", _py_norm(egg.group(1)), dev))
            continue
        d = _py_req(line, dev)
        if d:
            out.append(d)
    return out


_PLUGIN_COMMENT = re.compile(r"#\s*[A-Za-z_][\w.]*\.(components|integrations|plugins|providers|extensions|contrib|connectors)\.\w+")


def _extras_group_is_dev(group: str) -> bool:
    return bool(_DEV_NAME.search(group)) or group.lower() in ("all-dev", "qa", "check", "checks")


def _pyproject(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    data = tomllib.loads(text)
    out: list[Dependency] = []
    project = data.get("project") or {}
    for spec in project.get("dependencies") or []:
        if isinstance(spec, str) and (d := _py_req(spec, False)):
            out.append(d)
    for group, specs in (project.get("optional-dependencies") or {}).items():
        dev = _extras_group_is_dev(str(group))
        for spec in specs or []:
            if isinstance(spec, str) and (d := _py_req(spec, dev)):
                out.append(d)
    for specs in (data.get("dependency-groups") or {}).values():  # PEP 735: dev/test/lint groups
        for spec in specs or []:
            if isinstance(spec, str) and (d := _py_req(spec, True)):
                out.append(d)
    tool = data.get("tool") or {}
    poetry = tool.get("poetry") or {}
    for name in (poetry.get("dependencies") or {}):
        if name.lower() != "python":
            out.append(Dependency("python", _py_norm(name), False))
    for name in (poetry.get("dev-dependencies") or {}):
        out.append(Dependency("python", _py_norm(name), True))
    for group, body in (poetry.get("group") or {}).items():
        dev = str(group).lower() != "main"
        for name in ((body or {}).get("dependencies") or {}):
            if name.lower() != "python":
                out.append(Dependency("python", _py_norm(name), dev))
    for table in ((tool.get("pdm") or {}).get("dev-dependencies") or {}, {"dev": (tool.get("uv") or {}).get("dev-dependencies") or []}):
        for specs in table.values():
            for spec in specs or []:
                if isinstance(spec, str) and (d := _py_req(spec, True)):
                    out.append(d)
    return out


def _pipfile(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    data = tomllib.loads(text)
    out = [Dependency("python", _py_norm(n), False) for n in (data.get("packages") or {})]
    out += [Dependency("python", _py_norm(n), True) for n in (data.get("dev-packages") or {})]
    return out


def _setup_cfg(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.read_string(text)
    out: list[Dependency] = []
    if cp.has_option("options", "install_requires"):
        for line in cp.get("options", "install_requires").splitlines():
            if d := _py_req(line.split(";")[0], False):
                out.append(d)
    if cp.has_section("options.extras_require"):
        for group, value in cp.items("options.extras_require"):
            dev = _extras_group_is_dev(group)
            for line in value.splitlines():
                if d := _py_req(line.split(";")[0], dev):
                    out.append(d)
    return out


_SETUP_PY_LIST = re.compile(r"install_requires\s*=\s*\[(.*?)\]", re.S)


def _setup_py(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    """Only the literal `install_requires=[...]` list: setup.py is code, we never execute it."""
    out = []
    for m in _SETUP_PY_LIST.finditer(text):
        for s in re.findall(r"[\"']([^\"']+)[\"']", m.group(1)):
            if d := _py_req(s, False):
                out.append(d)
    return out


# ---- Node -----------------------------------------------------------------------------------------


def _package_json(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    data = tree.json(path)
    if not isinstance(data, dict):
        return []
    out: list[Dependency] = []
    for section, dev in (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True)):
        deps = data.get(section)
        if isinstance(deps, dict):
            out.extend(Dependency("node", str(n), dev) for n in deps)
    return out


# ---- Go -------------------------------------------------------------------------------------------

_GO_REQ_LINE = re.compile(r"^\s*([A-Za-z0-9.\-_~/]+\.[A-Za-z0-9.\-_~/]+)\s+v\S+(.*)$")


def _go_mod(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    """Direct requirements only: `// indirect` entries are pulled in by other modules, not used by this code."""
    out = []
    in_block = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("require ("):
            in_block = True
            continue
        if in_block and line.startswith(")"):
            in_block = False
            continue
        if line.startswith("require "):
            line = line[len("require "):]
        elif not in_block:
            continue
        m = _GO_REQ_LINE.match(line)
        if m and "// indirect" not in m.group(2):
            out.append(Dependency("go", m.group(1), False))
    return out


# ---- Java -----------------------------------------------------------------------------------------


def _strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _pom(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    """`<dependencies>` of the project and its profiles; `<dependencyManagement>` only pins versions and
    `<plugin><dependencies>` belong to the build, so both are skipped."""
    root = ET.fromstring(text.encode("utf-8"))
    skipped = {
        id(el)
        for holder in root.iter()
        if _strip_ns(holder.tag) in ("dependencyManagement", "plugin")
        for el in holder.iter()
    }
    out = []
    for deps in root.iter():
        if _strip_ns(deps.tag) != "dependencies" or id(deps) in skipped:
            continue
        for dep in deps:
            if _strip_ns(dep.tag) != "dependency":
                continue
            fields = {_strip_ns(c.tag): (c.text or "").strip() for c in dep}
            group, artifact = fields.get("groupId", ""), fields.get("artifactId", "")
            if group and artifact:
                out.append(Dependency("java", f"{group}:{artifact}", fields.get("scope", "").lower() == "test"))
    return out


_GRADLE_CONF = r"(implementation|api|compile|runtime|runtimeOnly|compileOnly|annotationProcessor|kapt|ksp|" \
               r"testImplementation|testRuntimeOnly|testCompileOnly|testCompile|androidTestImplementation|" \
               r"integrationTestImplementation|testFixturesImplementation|[a-zA-Z]+Implementation|javaagent|agent)"
_GRADLE_COORD = re.compile(_GRADLE_CONF + r"""\s*\(?\s*(?:platform\s*\(\s*)?["']([\w.\-]+):([\w.\-]+)(?::[^"']*)?["']""")
_GRADLE_MAP = re.compile(_GRADLE_CONF + r"""\s*\(?\s*group\s*[:=]\s*["']([\w.\-]+)["']\s*,\s*name\s*[:=]\s*["']([\w.\-]+)["']""")


# Groovy lets one configuration take a comma-separated list spread over lines:
#   implementation "io.grpc:grpc-stub:1.0",
#           "io.opentelemetry:opentelemetry-sdk"
_GRADLE_MORE = re.compile(r"""\s*,\s*["']([\w.\-]+):([\w.\-]+)(?::[^"']*)?["']""")


def _gradle(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    out = []
    for rx in (_GRADLE_COORD, _GRADLE_MAP):
        for m in rx.finditer(text):
            conf = m.group(1)
            dev = conf.lower().startswith(("test", "androidtest", "integrationtest")) or conf in ("annotationProcessor", "kapt", "ksp")
            out.append(Dependency("java", f"{m.group(2)}:{m.group(3)}", dev))
            if rx is _GRADLE_COORD:
                pos = m.end()
                while (more := _GRADLE_MORE.match(text, pos)) is not None:
                    out.append(Dependency("java", f"{more.group(1)}:{more.group(2)}", dev))
                    pos = more.end()
    return out


def _gradle_catalog(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    """gradle/libs.versions.toml: what the build may use (no configuration, so runtime is assumed)."""
    data = tomllib.loads(text)
    out = []
    for entry in (data.get("libraries") or {}).values():
        coord = None
        if isinstance(entry, str):
            coord = ":".join(entry.split(":")[:2])
        elif isinstance(entry, dict):
            if entry.get("module"):
                coord = str(entry["module"])
            elif entry.get("group") and entry.get("name"):
                coord = f"{entry['group']}:{entry['name']}"
        if coord and ":" in coord:
            out.append(Dependency("java", coord, False))
    return out


# ---- .NET -----------------------------------------------------------------------------------------


def _dotnet(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    root = ET.fromstring(text.encode("utf-8"))
    name = path.rsplit("/", 1)[-1]
    test_project = bool(re.search(r"(?i)(\.|^)tests?(\.|$)|\.(Unit|Integration)Tests?\.", name.rsplit(".", 1)[0]))
    out = []
    for el in root.iter():
        tag = _strip_ns(el.tag)
        # PackageVersion (Directory.Packages.props) only pins versions centrally; it is not a reference
        if tag == "PackageReference" or (tag == "package" and el.get("id")):
            pkg = el.get("Include") or el.get("Update") or el.get("id")
            if not pkg:
                continue
            private = (el.get("PrivateAssets") or "").lower() == "all" or any(
                _strip_ns(c.tag) == "PrivateAssets" and (c.text or "").strip().lower() == "all" for c in el
            )
            out.append(Dependency("dotnet", pkg, test_project or private))
    return out


# ---- Ruby -----------------------------------------------------------------------------------------

_GEM = re.compile(r"""^\s*gem\s+["']([\w.\-]+)["'](.*)$""")
_GROUP = re.compile(r"^\s*group\s+(.+?)\s+do\b")


def _gemfile(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    out = []
    stack: list[bool] = []  # dev-ness of each open group block
    for raw in text.splitlines():
        line = raw.split("#", 1)[0]
        g = _GROUP.match(line)
        if g:
            groups = re.findall(r":(\w+)|[\"'](\w+)[\"']", g.group(1))
            names = {a or b for a, b in groups}
            stack.append(bool(names) and names <= {"development", "test", "ci", "lint", "tools"})
            continue
        if re.match(r"^\s*(\w+\s+do\b|.*\bdo\s*(\|.*\|)?\s*$)", line) and not _GEM.match(line):
            stack.append(any(stack))  # platforms/source blocks inherit
            continue
        if re.match(r"^\s*end\b", line) and stack:
            stack.pop()
            continue
        m = _GEM.match(line)
        if m:
            inline = re.search(r"group[s]?\s*(?::|=>)\s*\[?([^\]]+)", m.group(2))
            dev = any(stack)
            if inline:
                names = set(re.findall(r"(\w+)", inline.group(1)))
                dev = names <= {"development", "test", "ci", "lint", "tools"}
            out.append(Dependency("ruby", m.group(1), dev))
    return out


def _gemfile_lock(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    """The DEPENDENCIES section (direct gems). Skipped when a Gemfile sits beside it (the Gemfile knows groups)."""
    gemfile = path[: -len("Gemfile.lock")] + "Gemfile"
    if tree.exists(gemfile):
        return []
    out = []
    in_deps = False
    for raw in text.splitlines():
        if raw.strip() == "DEPENDENCIES":
            in_deps = True
            continue
        if in_deps:
            if not raw.startswith("  "):
                break
            m = re.match(r"^\s+([\w.\-]+)", raw)
            if m:
                out.append(Dependency("ruby", m.group(1), False))
    return out


# ---- Rust -----------------------------------------------------------------------------------------


def _cargo(tree: RepoTree, path: str, text: str) -> list[Dependency]:
    data = tomllib.loads(text)
    out = [Dependency("rust", n, False) for n in (data.get("dependencies") or {})]
    out += [Dependency("rust", n, True) for n in (data.get("dev-dependencies") or {})]
    out += [Dependency("rust", n, True) for n in (data.get("build-dependencies") or {})]
    ws = (data.get("workspace") or {}).get("dependencies") or {}
    out += [Dependency("rust", n, False) for n in ws]
    return out


# manifests known by their whole (lower-case) file name
_PARSERS: dict[str, Callable[[RepoTree, str, str], list[Dependency]]] = {
    "pyproject.toml": _pyproject, "pipfile": _pipfile, "setup.cfg": _setup_cfg, "setup.py": _setup_py,
    "package.json": _package_json, "go.mod": _go_mod, "pom.xml": _pom, "build.gradle": _gradle,
    "build.gradle.kts": _gradle, "libs.versions.toml": _gradle_catalog, "directory.packages.props": _dotnet,
    "packages.config": _dotnet, "gemfile": _gemfile, "gemfile.lock": _gemfile_lock, "cargo.toml": _cargo,
}


# ---- links between manifests of one repository (monorepos) ----------------------------------------

_GO_MODULE = re.compile(r"(?m)^module\s+(\S+)")
# a required module path: on a `require x v1` line or inside a `require ( ... )` block (indirect ones too)
_GO_REQUIRE = re.compile(r"(?m)^(?:require\s+|\s+)([\w.\-]+(?:/[\w.\-~]+)+)\s+v\d")
_PROJECT_REF = re.compile(r"""<ProjectReference\s+Include\s*=\s*["']([^"']+)["']""", re.I)


def _dir_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


def _norm(path: str) -> str:
    """A relative '/'-separated path with '..' and '.' resolved (the form RepoTree uses)."""
    return posixpath.normpath(path)


_ASPIRE_HOST = re.compile(r"(?i)<IsAspireHost>\s*true\s*</IsAspireHost>|Sdk\s*=\s*[\"']Aspire\.AppHost\.Sdk")


def is_aspire_host(csproj_text: str) -> bool:
    """A .NET Aspire AppHost project: it orchestrates the services it references (starts them, wires their
    endpoints) rather than linking them in, and runs only on a developer machine or as a deployment manifest."""
    return bool(_ASPIRE_HOST.search(csproj_text))


def local_links(tree: RepoTree, paths: Iterable[str]) -> dict[str, set[str]]:
    """Manifest directory -> directories of other manifests in this repository it depends on at runtime.

    Why: in a monorepo the logger, tracer and metrics setup often sit in a shared package (n8n's
    `@n8n/backend-common` holds winston; a .NET `BuildingBlocks` project holds Serilog) that each service
    imports, so a service is instrumented through its local dependency, and the shared package itself is a
    library, not a service. Links come from npm/yarn/pnpm workspace packages named in `dependencies`
    (matched by the package's `name`), .NET `<ProjectReference>` paths and Go modules of the repository
    required by another of its go.mod files. Development dependencies and
    test projects do not link."""
    paths = list(paths)
    names: dict[str, str] = {}
    go_modules: dict[str, str] = {}  # Go module path -> directory of its go.mod
    for p in paths:
        base = p.rsplit("/", 1)[-1].lower()
        if base == "package.json":
            data = tree.json(p)
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                names.setdefault(data["name"], _dir_of(p))
        elif base == "go.mod":
            m = _GO_MODULE.search(tree.text(p) or "")
            if m:
                go_modules.setdefault(m.group(1), _dir_of(p))
    out: dict[str, set[str]] = {}
    for p in paths:
        name = p.rsplit("/", 1)[-1].lower()
        d = _dir_of(p)
        targets: set[str] = set()
        if name == "package.json":
            data = tree.json(p)
            if not isinstance(data, dict):
                continue
            for section in ("dependencies", "optionalDependencies"):
                deps = data.get(section)
                if isinstance(deps, dict):
                    targets |= {names[n] for n in deps if n in names}
        elif name == "go.mod" and go_modules:
            # a multi-module Go repository (mattermost's server/public, kubernetes' staging/): a module that
            # requires another module of this repository imports it as a library
            for m in _GO_REQUIRE.finditer(tree.text(p) or ""):
                if m.group(1) in go_modules:
                    targets.add(go_modules[m.group(1)])
        elif name.endswith((".csproj", ".fsproj", ".vbproj")):
            if re.search(r"(?i)(\.|^)tests?(\.|$)|\.(Unit|Integration)Tests?\.", name.rsplit(".", 1)[0]):
                continue
            text = tree.text(p) or ""
            if is_aspire_host(text):
                continue  # an Aspire AppHost references the services it starts; it does not import them
            for m in _PROJECT_REF.finditer(text):
                ref = _norm((d + "/" if d != "." else "") + m.group(1).replace("\\", "/"))
                if tree.exists(ref):
                    targets.add(_dir_of(ref))
        targets.discard(d)
        if targets:
            out.setdefault(d, set()).update(targets)
    return out
