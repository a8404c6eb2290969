"""Dependency manifest parsing: every ecosystem, runtime versus dev, malformed files."""

from __future__ import annotations

from pathlib import Path

from wafops.collectors.repo.manifests import Dependency, is_product_manifest, manifest_paths, parse_manifest
from wafops.scanner.core.files import RepoTree

from tests.helpers import write_tree

FILES = {
    "requirements.txt": "structlog==24.1  # json logs\n-r base.txt\n--index-url https://x\nopentelemetry_SDK>=1.0\n"
                        "git+https://github.com/x/y\n-e git+https://g/x#egg=MyPkg\n",
    "requirements-dev.txt": "pytest\nprometheus-client\n",
    "requirements/test.txt": "hypothesis\n",
    "pyproject.toml": """
[project]
dependencies = ["sentry-sdk[flask]>=1", "ddtrace ; python_version>'3.8'"]
[project.optional-dependencies]
otel = ["opentelemetry-distro"]
dev = ["ruff"]
[dependency-groups]
test = ["pytest-cov"]
[tool.poetry.dependencies]
python = "^3.11"
python-json-logger = "*"
[tool.poetry.group.dev.dependencies]
black = "*"
""",
    "Pipfile": '[packages]\nflask = "*"\n[dev-packages]\nmypy = "*"\n',
    "setup.cfg": "[options]\ninstall_requires =\n    statsd\n    requests>=2\n[options.extras_require]\ntests = pytest\n",
    "web/package.json": '{"dependencies": {"pino": "^8", "@opentelemetry/sdk-node": "1"}, '
                        '"devDependencies": {"jest": "29", "prom-client": "15"}}',
    "go.mod": "module x\n\ngo 1.22\n\nrequire (\n\tgo.opentelemetry.io/otel/sdk v1.2.0\n"
              "\tgithub.com/rs/zerolog v1.31.0 // indirect\n)\nrequire go.uber.org/zap v1.27.0\n",
    "java/pom.xml": """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <dependencyManagement><dependencies><dependency><groupId>io.sentry</groupId><artifactId>bom</artifactId></dependency></dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>net.logstash.logback</groupId><artifactId>logstash-logback-encoder</artifactId></dependency>
    <dependency><groupId>org.junit</groupId><artifactId>junit</artifactId><scope>test</scope></dependency>
  </dependencies>
  <build><plugins><plugin><dependencies><dependency><groupId>a.b</groupId><artifactId>plug</artifactId></dependency></dependencies></plugin></plugins></build>
</project>""",
    "kt/build.gradle.kts": 'dependencies {\n  implementation("io.micrometer:micrometer-registry-prometheus:1.12")\n'
                           '  testImplementation("io.mockk:mockk:1")\n  implementation(group = "com.launchdarkly", name = "launchdarkly-java-server-sdk")\n}\n',
    "gradle/libs.versions.toml": '[libraries]\notel = { module = "io.opentelemetry:opentelemetry-sdk", version = "1" }\n'
                                 'x = { group = "io.sentry", name = "sentry" }\n',
    "dotnet/Api.csproj": '<Project><ItemGroup><PackageReference Include="Serilog.AspNetCore" Version="8" />'
                         '<PackageReference Include="StyleCop.Analyzers" PrivateAssets="all" /></ItemGroup></Project>',
    "dotnet/Api.Tests.csproj": '<Project><ItemGroup><PackageReference Include="xunit" /></ItemGroup></Project>',
    "rb/Gemfile": "source 'https://rubygems.org'\ngem 'rails'\ngem 'lograge'\ngroup :development, :test do\n"
                  "  gem 'rspec'\nend\ngem 'rubocop', group: :development\n",
    "rb/Gemfile.lock": "GEM\n  specs:\n    rails (7)\n\nDEPENDENCIES\n  rails\n",
    "rb2/Gemfile.lock": "GEM\n  specs:\n    x (1)\n\nDEPENDENCIES\n  sentry-ruby\n  rails (~> 7)\n\nBUNDLED WITH\n",
    "rs/Cargo.toml": '[dependencies]\nopentelemetry = "0.2"\n[dev-dependencies]\ncriterion = "1"\n',
    "examples/demo/package.json": '{"dependencies": {"dd-trace": "1"}}',
}


def _deps(tree: RepoTree, path: str) -> set[Dependency]:
    return set(parse_manifest(tree, path))


def test_every_ecosystem_runtime_and_dev(tmp_path: Path) -> None:
    tree = RepoTree.scan(write_tree(tmp_path, FILES))
    req = _deps(tree, "requirements.txt")
    assert Dependency("python", "structlog", False) in req
    assert Dependency("python", "opentelemetry-sdk", False) in req  # normalised name
    assert Dependency("python", "mypkg", False) in req
    assert all(d.package not in ("-r", "git+https") for d in req)
    assert _deps(tree, "requirements-dev.txt") == {Dependency("python", "pytest", True),
                                                   Dependency("python", "prometheus-client", True)}
    assert _deps(tree, "requirements/test.txt") == {Dependency("python", "hypothesis", True)}
    py = _deps(tree, "pyproject.toml")
    assert {Dependency("python", "sentry-sdk", False), Dependency("python", "ddtrace", False),
            Dependency("python", "opentelemetry-distro", False), Dependency("python", "ruff", True),
            Dependency("python", "pytest-cov", True), Dependency("python", "python-json-logger", False),
            Dependency("python", "black", True)} <= py
    assert not any(d.package == "python" for d in py)
    assert _deps(tree, "Pipfile") == {Dependency("python", "flask", False), Dependency("python", "mypy", True)}
    assert {Dependency("python", "statsd", False), Dependency("python", "pytest", True)} <= _deps(tree, "setup.cfg")
    assert _deps(tree, "web/package.json") == {
        Dependency("node", "pino", False), Dependency("node", "@opentelemetry/sdk-node", False),
        Dependency("node", "jest", True), Dependency("node", "prom-client", True)}
    assert _deps(tree, "go.mod") == {Dependency("go", "go.opentelemetry.io/otel/sdk", False),
                                     Dependency("go", "go.uber.org/zap", False)}  # indirect dropped
    assert _deps(tree, "java/pom.xml") == {
        Dependency("java", "net.logstash.logback:logstash-logback-encoder", False),
        Dependency("java", "org.junit:junit", True)}  # dependencyManagement and plugin deps skipped
    assert _deps(tree, "kt/build.gradle.kts") == {
        Dependency("java", "io.micrometer:micrometer-registry-prometheus", False),
        Dependency("java", "io.mockk:mockk", True), Dependency("java", "com.launchdarkly:launchdarkly-java-server-sdk", False)}
    assert _deps(tree, "gradle/libs.versions.toml") == {Dependency("java", "io.opentelemetry:opentelemetry-sdk", False),
                                                        Dependency("java", "io.sentry:sentry", False)}
    assert _deps(tree, "dotnet/Api.csproj") == {Dependency("dotnet", "Serilog.AspNetCore", False),
                                                Dependency("dotnet", "StyleCop.Analyzers", True)}
    assert _deps(tree, "dotnet/Api.Tests.csproj") == {Dependency("dotnet", "xunit", True)}
    assert _deps(tree, "rb/Gemfile") == {Dependency("ruby", "rails", False), Dependency("ruby", "lograge", False),
                                         Dependency("ruby", "rspec", True), Dependency("ruby", "rubocop", True)}
    assert _deps(tree, "rb/Gemfile.lock") == set()  # the Gemfile beside it is authoritative
    assert _deps(tree, "rb2/Gemfile.lock") == {Dependency("ruby", "sentry-ruby", False), Dependency("ruby", "rails", False)}
    assert _deps(tree, "rs/Cargo.toml") == {Dependency("rust", "opentelemetry", False), Dependency("rust", "criterion", True)}


def test_manifest_selection_and_product_filter(tmp_path: Path) -> None:
    tree = RepoTree.scan(write_tree(tmp_path, {**FILES, "node_modules/x/package.json": "{}", "README.md": "x"}))
    paths = manifest_paths(tree)
    assert "web/package.json" in paths and "README.md" not in paths
    assert not any(p.startswith("node_modules/") for p in paths)
    assert not is_product_manifest("examples/demo/package.json")
    assert is_product_manifest("services/api/package.json")


def test_malformed_manifests_warn_and_return_nothing(tmp_path: Path) -> None:
    tree = RepoTree.scan(write_tree(tmp_path, {
        "pyproject.toml": "[project\ndependencies = [",
        "pom.xml": "<project><dependencies>",
        "package.json": "{not json",
        "ok/requirements.txt": "structlog\n",
    }))
    warnings: list[tuple[str, str]] = []
    warn = lambda p, m: warnings.append((p, m))  # noqa: E731
    assert parse_manifest(tree, "pyproject.toml", warn) == []
    assert parse_manifest(tree, "pom.xml", warn) == []
    assert parse_manifest(tree, "package.json", warn) == []
    assert {p for p, _ in warnings} == {"pyproject.toml", "pom.xml"}
    assert any(w.path == "package.json" for w in tree.warnings)  # JSON goes through the tree's parser
    assert parse_manifest(tree, "ok/requirements.txt") == [Dependency("python", "structlog", False)]


def test_groovy_comma_continued_dependency_list(tmp_path: Path) -> None:
    """Calibration (opentelemetry-demo's ad service): one Groovy configuration followed by a comma list over lines."""
    tree = RepoTree.scan(write_tree(tmp_path, {"svc/build.gradle": (
        'dependencies {\n  implementation platform("io.opentelemetry:opentelemetry-bom:1.5")\n'
        '  implementation "io.grpc:grpc-stub:${v}",\n          "io.opentelemetry:opentelemetry-sdk",\n'
        "          'org.apache.logging.log4j:log4j-core:2.25'\n"
        '  testImplementation "junit:junit:4", "org.mockito:mockito-core:5"\n}\n')}))
    deps = _deps(tree, "svc/build.gradle")
    assert Dependency("java", "io.opentelemetry:opentelemetry-sdk", False) in deps
    assert Dependency("java", "org.apache.logging.log4j:log4j-core", False) in deps
    assert Dependency("java", "org.mockito:mockito-core", True) in deps
    assert len(deps) == 6


def test_plugin_only_requirements_are_not_runtime(tmp_path: Path) -> None:
    """Calibration (home-assistant/core requirements_all.txt shape): a requirement under a comment naming an
    integration module (`# homeassistant.components.sentry`) is that plugin's optional dependency, not the app's
    runtime; a blank line ends the block, so plain requirements after it stay runtime."""
    root = write_tree(tmp_path, {"requirements_all.txt":
        "-r requirements.txt\n\n# homeassistant.components.datadog\ndatadog==0.52.0\n\n"
        "# homeassistant.components.prometheus\n# homeassistant.components.other\nprometheus-client==0.21.0\n\n"
        "# core\naiohttp==3.11\n"})
    deps = parse_manifest(RepoTree(root), "requirements_all.txt")
    assert deps == [Dependency("python", "datadog", True), Dependency("python", "prometheus-client", True),
                    Dependency("python", "aiohttp", False)]
