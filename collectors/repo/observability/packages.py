"""Dependency manifests: which services pull in OpenTelemetry, tracing, JSON logging, metrics, APM, error
tracking, log correlation and feature-flag SDKs (`dep.package`), and one `dep.manifest` per manifest saying
whether it is a deployable service, a library, a browser bundle or a load generator.

Only runtime dependencies of product code count (not devDependencies, not examples/ or tests/); the parsers
live in collectors/repo/manifests.py."""

from __future__ import annotations

import re

from wafops.collectors.repo.manifests import (
    is_aspire_host,
    is_product_manifest,
    local_links,
    manifest_paths,
    parse_manifest,
)
from wafops.collectors.repo.observability.state import ObsRun
from wafops.collectors.repo.observability.values import parent_dir
from wafops.scanner.core.vendors import categories

# a build that makes the container image itself, without a Dockerfile: Jib (Maven/Gradle), Spring Boot's
# build-image, ko for Go, Quarkus container-image extensions
IMAGE_BUILD = re.compile(r"jib-maven-plugin|com\.google\.cloud\.tools\.jib|\bid\s*\(?\s*[\"']com\.google\.cloud\.tools\.jib|"
                         r"spring-boot:build-image|bootBuildImage|quarkus-container-image-")
# load-testing frameworks: a manifest whose runtime dependencies hold one generates test traffic (a Locust
# load generator deployed beside the services); it serves no users, so it is no service for telemetry coverage
LOAD_TEST_PACKAGES = frozenset({"locust", "locustio", "artillery", "k6", "autocannon", "loadtest", "vegeta",
                                "github.com/tsenart/vegeta", "github.com/tsenart/vegeta/v12",
                                "io.gatling.highcharts:gatling-charts-highcharts", "io.gatling:gatling-core",
                                "io.gatling:gatling-app", "molotov", "bombardier"})

DEPLOYABLE_MARKERS = ("dockerfile", "containerfile", "procfile", "fly.toml", "app.yaml", "serverless.yml",
                      "serverless.yaml", "host.json", "template.yaml", "template.yml", "apprunner.yaml", "vercel.json")

# A browser app's manifest (a React/Vue/Angular/Svelte bundle with no server framework) describes code that runs
# in users' browsers: it writes no server logs and starts no server spans, so it is no service for log/trace
# coverage (mattermost's webapp/channels next to its Go server).
UI_FRAMEWORKS = frozenset({"react", "react-dom", "vue", "@angular/core", "svelte", "preact", "solid-js", "lit"})
SERVER_FRAMEWORKS = re.compile(
    r"^(express|fastify|koa|@nestjs/core|next|nuxt|@remix-run/(node|serve|express)|@hapi/hapi|hapi|"
    r"apollo-server.*|@apollo/server|@sveltejs/kit|astro|hono|restify|sails|@feathersjs/feathers|"
    r"@adonisjs/core|loopback|@loopback/core|@trpc/server|socket\.io|ws|pg|mysql2?|mongoose|mongodb|prisma|"
    r"@prisma/client|typeorm|sequelize|knex|ioredis|redis)$"
)


def is_browser_app(packages: set[str]) -> bool:
    """A node manifest whose runtime dependencies hold a UI framework and nothing that runs a server or talks to a
    database directly."""
    return bool(packages & UI_FRAMEWORKS) and not any(SERVER_FRAMEWORKS.match(p) for p in packages)


def dependencies(run: ObsRun) -> None:
    for path in manifest_paths(run.tree):
        if not is_product_manifest(path):
            continue
        deps = parse_manifest(run.tree, path, run.warn)
        runtime = [d for d in deps if not d.is_dev]
        if not deps:
            continue
        eco = deps[0].ecosystem
        run.manifests.append((path, eco, len(runtime)))
        if eco == "node" and is_browser_app({d.package.lower() for d in runtime}):
            run.frontends.add(path)
        if any(d.package.lower() in LOAD_TEST_PACKAGES for d in runtime):
            run.load_tests.add(path)
        service = parent_dir(path)
        for d in runtime:
            cats = categories(d.ecosystem, d.package)
            if not cats:
                continue
            run.emit("dep.package", path,
                     {"ecosystem": d.ecosystem, "manifest": path, "package": d.package, "categories": list(cats),
                      "service": service},
                     pattern=d.package.rsplit(":", 1)[-1], summary=f"{d.package} ({', '.join(cats)}) in {path}")


def finish_manifests(run: ObsRun) -> None:
    """One `dep.manifest` per manifest, once every detector has run (services found in YAML make a manifest's
    folder deployable)."""
    files_by_dir: dict[str, set[str]] = {}
    for f in run.tree.files:
        d, _, name = f.rpartition("/")
        files_by_dir.setdefault(d or ".", set()).add(name.lower())
    links = local_links(run.tree, [m[0] for m in run.manifests])
    consumed = {t for targets in links.values() for t in targets}
    for path, eco, runtime in run.manifests:
        d = parent_dir(path)
        names = files_by_dir.get(d, set())
        deployable = d in run.service_dirs or any(
            n.startswith(("dockerfile", "containerfile")) or n in DEPLOYABLE_MARKERS for n in names) or (
            eco == "java" and bool(IMAGE_BUILD.search(run.tree.text(path) or "")))
        run.emit("dep.manifest", path, {"ecosystem": eco, "service": d, "runtime_packages": runtime,
                                        "deployable": bool(deployable),
                                        "local_deps": sorted(links.get(d, ())),
                                        "library": d in consumed and not deployable,
                                        "frontend": path in run.frontends,
                                        "load_test": path in run.load_tests,
                                        "orchestrator": path.lower().endswith("proj")
                                        and is_aspire_host(run.tree.text(path) or "")}, line=1,
                 summary=f"{eco} manifest {path} ({runtime} runtime dependencies)")
