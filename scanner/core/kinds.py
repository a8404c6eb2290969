"""The evidence-kind registry: every kind a collector emits or a probe reads, and the document
`collectors/KINDS.md` generated from it.

A kind is the contract between collectors (who produce evidence) and probes (who read it). Each `Section`
is one part of the document: a collector (or a group of additions to several), the table of the kinds it
adds, and notes on attributes it adds to kinds registered elsewhere. `KINDS` maps every registered name to
its `Kind`.

    python -m wafops.scanner.core.kinds > collectors/KINDS.md

regenerates the document; `tests/test_kinds.py` checks it is current, that every kind a probe reads is
registered, and that every kind a collector emits with a literal name is registered. To add a kind, add a
`Kind` to the table of its collector's section here, then regenerate. Imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

WINGS = ("repo", "git", "platforms", "cloud", "engine")


@dataclass(frozen=True)
class Kind:
    """One evidence kind: its dotted name, what one item stands for, its attributes (markdown), and the
    strength its items have when the collector always sets the same one. `section` and `wing` are filled in
    by the `Section` that lists it."""

    name: str
    one_per: str
    attributes: str
    strength: str = ""
    section: str = ""
    wing: str = ""

    def row(self) -> str:
        attrs = f"{self.attributes} — {self.strength}" if self.strength else self.attributes
        return f"| `{self.name}` | {self.one_per} | {attrs} |"


@dataclass(frozen=True)
class Section:
    """A part of KINDS.md: a heading (naming the collector's path and its source), text before the table,
    the table of kinds, and notes after it."""

    title: str
    wing: str = ""
    level: int = 2
    intro: str = ""
    kinds: tuple[Kind, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        if self.wing and self.wing not in WINGS:
            raise ValueError(f"section {self.title!r}: unknown wing {self.wing!r}")
        object.__setattr__(self, "kinds", tuple(replace(k, section=self.title, wing=self.wing) for k in self.kinds))

    def render(self) -> str:
        parts = ["#" * self.level + " " + self.title]
        if self.intro:
            parts.append(self.intro.rstrip("\n"))
        if self.kinds:
            parts += ["| kind | one per | attributes |", "|---|---|---|"] + [k.row() for k in self.kinds]
        text = "\n".join(parts) + "\n"
        if self.notes:
            text += "\n" + self.notes.rstrip("\n") + "\n"
        return text


TITLE = "Evidence kinds"

PREAMBLE = """\
Generated from the registry in `scanner/core/kinds.py`: add or change a kind there, then run
`python -m wafops.scanner.core.kinds > collectors/KINDS.md` (`tests/test_kinds.py` checks this file is current and
that every kind a probe reads or a collector emits is registered).

The contract between collectors (who produce evidence) and probes (who read it). A kind is a
dotted name; its attributes are plain JSON values. Attributes never hold secrets: no tokens, no
passwords, no values of `env:`/`variables:` entries, no full command lines (only the matched
keyword, e.g. `terraform plan -detailed-exitcode`).

Strength (`direct`, `strong`, `weak`) is set by the collector per item; a table row ends with it
when the collector always sets the same one.
`source` is the source that produced it (`repo`, `git`, `github`, `gitlab`, `aws`, `azure`).

D-PROD: an environment counts as production when its name matches
`(?i)^(prod|production|prd|live)([-_].*)?$` (configurable: option `production_pattern`), or the
platform says so (`production_environment: true`, GitLab `tier: production`).
"""

SECTIONS: tuple[Section, ...] = (
    Section(
        "CI/CD — `collectors/repo/ci/` (source `repo`)",
        wing="repo",
        kinds=(
            Kind("ci.pipeline",
                 "pipeline definition file (or TF-declared pipeline)",
                 ("`system` (github-actions, gitlab-ci, azure-pipelines, jenkins, circleci, bitbucket, codebuild, "
                  "cloudbuild, buildkite, tekton, drone, atlantis, aws-codepipeline, azuredevops, "
                  "google-cloudbuild), `name`, `triggers` (list of push, pull_request, merge_group, schedule, "
                  "manual, tag, release, workflow_call, other), `schedules` (cron strings), "
                  "`schedule_interval_hours` (smallest interval, float or null), `reusable` (bool: callable "
                  "template), `templates` (list of external templates it uses: reusable workflows "
                  "`org/repo/.github/workflows/x.yml@ref`, GitLab `include: project/component/remote`, Azure "
                  "`template@repo`), `jobs` (int)")),
            Kind("ci.job",
                 "job",
                 ("`system`, `pipeline` (path), `name`, `triggers` (effective), `environment` (name or null), "
                  "`production` (bool, D-PROD), `manual_gate` (bool: `when: manual`, Jenkins `input`, Azure manual "
                  "validation), `needs` (list of job names), `stage`, `steps` (list of step classes: lint, test, "
                  "security, build, deploy, plan, apply, smoke, policy, drift, notify, rollback, metrics), "
                  "`matched` (dict class -> matched keyword), `plan_flags` (list: detailed-exitcode, "
                  "refresh-only), `notifies_on_drift` (bool: a step conditioned on plan exit code 2 notifies), "
                  "`template` (reusable workflow/template the job calls, or null), `branches` (push branch "
                  "filters), `freeze_check` (bool)")),
            Kind("ci.external",
                 ("CI system whose jobs a central configuration repository defines, which the scan does not read "
                  "(the first signal file at the top of the repository)"),
                 ("`system` (prow for top-level `OWNERS`/`OWNERS_ALIASES`, openshift-ci for `.ci-operator.yaml`), "
                  "`signal` (the file)"),
                 strength="weak"),
        ),
    ),
    Section(
        "IaC, GitOps, drift tooling — `collectors/repo/iac/` (source `repo`)",
        wing="repo",
        kinds=(
            Kind("iac.code",
                 "tool per directory",
                 ("`tool` (terraform, terragrunt, cloudformation, sam, cdk, pulumi, bicep, arm, crossplane, "
                  "serverless, helm, kustomize, kubernetes), `dir`, `files` (int), `resources` (int)")),
            Kind("iac.backend",
                 "backend / cloud / remote_state block",
                 ("`type` (s3, azurerm, gcs, remote, cloud, http, local, consul, pg, kubernetes, ...), `locking` "
                  "(bool), `lock` (use_lockfile, dynamodb_table, native, lock_address, none), `dir`")),
            Kind("iac.module",
                 "module call",
                 ("`name`, `source`, `source_kind` (local, registry, private-registry, git, s3, http), `pinned` "
                  "(bool)")),
            Kind("iac.provider",
                 "provider block",
                 "`name`, `alias`, `region`, `assume_role` (bool), `account_ids` (list)"),
            Kind("iac.resource",
                 "resource of an interesting type (not every resource)",
                 ("`type`, `name`, `body` (parsed attributes, secrets removed), `tool` (terraform, cloudformation, "
                  "bicep)")),
            Kind("gitops.app",
                 "Argo CD Application/ApplicationSet, Flux Kustomization/HelmRelease",
                 "`tool` (argocd, flux), `kind`, `name`, `automated` (bool), `self_heal` (bool), `prune` (bool)"),
            Kind("k8s.workload",
                 "Deployment/StatefulSet/DaemonSet/Rollout",
                 ("`kind`, `name`, `strategy` (RollingUpdate, Recreate, canary, blueGreen), `readiness_probe` "
                  "(bool), `liveness_probe` (bool), `replicas`")),
            Kind("drift.tool",
                 "drift tooling config",
                 ("`tool` (driftctl, hcp-assessments, spacelift, env0, aws-config, azure-policy), "
                  "`automated_remediation` (bool), `schedule`")),
            Kind("iac.policy",
                 "policy-as-code tool in use",
                 ("`tool` (checkov, tfsec, trivy, kics, terrascan, sentinel, conftest, opa, kyverno, gatekeeper, "
                  "pre-commit hook id, tfe_policy_set, spacelift_policy), `via` (config, pre-commit, platform, "
                  "admission)")),
            Kind("iac.plan_target",
                 "Makefile/justfile/Taskfile/script that runs a plan",
                 "`file_kind` (makefile, justfile, taskfile, script), `target`, `tool`, `detailed_exitcode` (bool)",
                 strength="weak"),
            Kind("drift.log",
                 "drift log file (`drift-log.md`, `drift/*.md`)",
                 "`format`, `entries` (int)"),
            Kind("iac.coverage",
                 "(cloud collectors: AWS and Azure sections below) IaC coverage of an account/subscription",
                 "`scope`, `ratio` (managed ÷ inventory, 0..1)"),
            Kind("drift.age",
                 ("(no collector emits it yet: planned for HCP Terraform assessments or the drift-issue history of a "
                  "platform; OPS-090 `drift_age_bounded` reads it first)"),
                 "`max_open_hours` (oldest open drift)"),
        ),
        notes="""\
Extra attributes (iac collector): `iac.code` also `modules` (module calls), `role` (root, module, example: examples/tests/docs dirs), Terragrunt `region`, `account_dir`, `includes`, `dependencies`; `iac.backend` also `partial` (bool), `config_files`, `tool`; `iac.module` also `version`, `dir`, `tool`; `iac.provider` also `region_expr`, `dir`, `role_arn_set`; `iac.resource` also `dir`, `parsed` (bool), `facts` (derived values probes need, e.g. SCP `deny`, `auto_apply`, `assessments_enabled`, `drift_trigger`, `reconcile`, `automatic`, `targets_root`); `gitops.app` also `notifies` (bool), `interval`.
""",
    ),
    Section(
        "Observability — `collectors/repo/observability/` (source `repo`)",
        wing="repo",
        kinds=(
            Kind("dep.package",
                 "dependency that matters (manifest x package)",
                 ("`ecosystem` (python, node, go, java, dotnet, ruby), `manifest`, `package`, `categories` (list "
                  "of: otel, tracing, structured_logging, metrics, apm, error_tracking, log_correlation, "
                  "feature_flag, experimentation), `service` (directory of the manifest)")),
            Kind("obs.log_shipper",
                 "shipper/agent config",
                 ("`tool` (fluent-bit, fluentd, vector, promtail, alloy, filebeat, otel-collector, datadog-agent, "
                  "cloudwatch-agent, awslogs, firelens), `logs` (bool)")),
            Kind("obs.otel_collector",
                 "OTel collector config",
                 "`receivers`, `pipelines` (traces/metrics/logs), `processors`, `sampling` (bool)"),
            Kind("obs.dashboard",
                 "dashboard as code",
                 ("`tool` (grafana, cloudwatch, datadog, azure, grafonnet), `title`, `panels` (int), `red` (bool), "
                  "`error_budget` (bool), `dora` (bool)")),
            Kind("obs.slo",
                 "SLO spec",
                 "`spec` (openslo, sloth, pyrra, slo-generator, wafpp, terraform), `service`, `name`, `objective`"),
            Kind("obs.log_correlation",
                 "config or code injecting trace ids into logs",
                 "`mechanism`"),
            Kind("obs.sampling",
                 "sampler configuration",
                 "`mechanism`"),
            Kind("obs.service",
                 "a service (D-SVC)",
                 ("`name`, `origin` (backstage, kubernetes, compose, serverless, dockerfile, terraform), "
                  "`critical` (bool or null)")),
            Kind("obs.anomaly",
                 "anomaly detection config",
                 "`mechanism`"),
            Kind("dep.manifest",
                 "parsed dependency manifest of product code (not examples/tests/docs)",
                 ("`ecosystem` (python, node, go, java, dotnet, ruby, rust), `service` (directory), "
                  "`runtime_packages` (int), `deployable` (bool: Dockerfile/Procfile/serverless/compose build "
                  "context beside it) — the D-SVC denominator for coverage ratios")),
            Kind("obs.structured_log",
                 ("config or code making logs JSON (logback LogstashEncoder, log4j2 JsonTemplateLayout, Serilog "
                  "compact, slog.NewJSONHandler, ...)"),
                 "`mechanism`, `service` (when from code)"),
            Kind("obs.tracing",
                 "tracing switched on outside package manifests",
                 ("`mechanism` (lambda-active-tracing, apigw-xray, otel-operator-instrumentation, adot-layer, "
                  "ecs-otel-sidecar, javaagent, OTEL_EXPORTER_OTLP, APPLICATIONINSIGHTS_CONNECTION_STRING, ...)")),
            Kind("obs.metrics",
                 "metrics scraping config",
                 "`mechanism` (servicemonitor, podmonitor, prometheus.io/scrape)"),
            Kind("obs.platform",
                 "an observability backend deployed or configured by the repo",
                 ("`tool` (prometheus, loki, tempo, jaeger, mimir, grafana, elasticsearch, victoriametrics, "
                  "otel-collector, azure-monitor, application-insights, cloudwatch-cross-account), `signals` (list "
                  "of logs, metrics, traces)")),
            Kind("obs.log_retention",
                 "declared log store with its retention",
                 ("`tool` (terraform, cloudformation, serverless, loki), `resource`, `name`, `days` (int, or null: "
                  "never expires)")),
        ),
        notes="""\
Notes (observability): `dep.package` is emitted for runtime dependencies only; `obs.log_shipper.tool` may also be cloudwatch-logs, log-analytics, diagnostic-settings, gcp-log-sink, cloudwatch-subscription, newrelic-agent, fluentd/gelf/splunk/syslog/loki (compose logging drivers); `obs.log_correlation` and `obs.structured_log` from the bounded source grep carry `service`. The alerting collector also emits `obs.anomaly` (mechanism prometheus-forecast, weak) for predict_linear/z-score rules.
""",
    ),
    Section(
        "Alerting — `collectors/repo/alerting/` (source `repo`)",
        wing="repo",
        kinds=(
            Kind("alert.rule",
                 "alert rule",
                 ("`origin` (prometheus, prometheus-crd, grafana, cloudwatch, azure-monitor, datadog, google, "
                  "newrelic), `name`, `expr` (truncated to 300 chars), `signal` (symptom, cause, unknown), "
                  "`paging` (bool), `severity`, `runbook` (link or null), `runbook_local` (repo path the link "
                  "resolves to, or null), `runbook_exists` (bool or null when it cannot be checked), `burn_rate` "
                  "(bool), `windows` (list), `notifies` (bool)")),
            Kind("alert.routing",
                 "Alertmanager / notification config",
                 ("`receivers` (list of pagerduty, opsgenie, victorops, slack, email, webhook, teams, sns, "
                  "incident-manager), `paging` (bool), `group_by` (bool), `inhibit` (bool)")),
            Kind("alert.availability_probe",
                 "synthetic check",
                 "`tool` (blackbox, synthetics, route53, webtest, datadog-synthetics, uptime)"),
        ),
        notes="""\
Notes (alerting): `alert.rule.origin` may also be sloth or pyrra (spec-generated multi-window burn-rate alerts, `burn_rate` true); `windows` are sorted by length; `runbook` is "inline" when the annotation holds runbook text rather than a link; `runbook_local`/`runbook_exists` resolve relative links and GitHub/GitLab `blob|tree/<ref>/<path>` links into this repository (exists null for external or templated links, and for repository URLs when the scanned repository's identity is unknown and the path is not present).
""",
    ),
    Section(
        "Change management — `collectors/repo/change/` (source `repo`)",
        wing="repo",
        kinds=(
            Kind("change.codeowners",
                 "CODEOWNERS file",
                 ("`rules` (int), `covers_iac` (bool), `covers_ci` (bool), `covers_alerts` (bool), `covers_all` "
                  "(bool: a `*` rule), `errors` (list)")),
            Kind("change.pr_template",
                 "PR/MR template",
                 "`fields` (list of: risk, rollback, testing, category, ticket, checklist)"),
            Kind("change.policy_doc",
                 "change-management document",
                 "`categories` (list of standard, normal, emergency), `emergency_path` (bool), `freeze` (bool)"),
            Kind("change.freeze",
                 "freeze mechanism",
                 "`mechanism` (gitlab-freeze, script, calendar, codepipeline-window, doc)"),
            Kind("change.dependency_bot",
                 "Renovate/Dependabot config",
                 "`tool`, `ecosystems`"),
            Kind("change.labels",
                 "labels as code",
                 "`labels` (list of names)"),
            Kind("change.risk_routing",
                 "labeler / policy-bot / path approval rules",
                 "`tool`"),
            Kind("scm.branch_rules",
                 "branch protection/ruleset (from TF, settings.yml, or the platform API)",
                 ("`origin` (terraform, settings-yml, api-classic, api-ruleset), `branch`, `requires_pr` (bool), "
                  "`required_reviews` (int), `code_owner_review` (bool), `status_checks` (bool), `dismiss_stale` "
                  "(bool), `last_push_approval` (bool), `enforce_admins` (bool), `force_push_blocked` (bool), "
                  "`deletion_blocked` (bool), `merge_queue` (bool)")),
            Kind("scm.environment",
                 "deployment environment settings (TF, API)",
                 ("`origin`, `name`, `production` (bool), `required_reviewers` (int), `prevent_self_review` "
                  "(bool), `wait_timer` (int minutes), `branch_policy` (protected, custom, none), `admin_bypass` "
                  "(bool or null), `custom_rules` (int)")),
            Kind("change.merge_check",
                 "review bot configuration or pull-request workflow that blocks a merge until the change carries something",
                 ("what every change must carry before merge: `tool` (`zappr`, `mergeable`, `pullapprove`, "
                  "`workflow`), `min_approvals`, `required_labels` (one of which each PR must carry), "
                  "`requires_changelog` (a PR check fails without a changelog/news entry: towncrier check, changelog "
                  "enforcer, a grep of CHANGES.md for the PR)"),
                 strength="strong"),
        ),
    ),
    Section(
        "Documents — `collectors/repo/docs/` (source `repo`; dates from git where available)",
        wing="repo",
        kinds=(
            Kind("doc.runbook",
                 "runbook document",
                 ("`title`, `service`, `template` (bool), `index` (bool), `sections` (list of: symptoms, "
                  "diagnosis, remediation, escalation, rollback, verification), `code_blocks` (int), "
                  "`last_changed` (ISO date or null), `last_reviewed` (front matter, or null), `dates_from` (git, "
                  "front-matter, none)")),
            Kind("doc.postmortem",
                 "postmortem / incident review",
                 ("`title`, `date` (ISO or null), `date_from` (front-matter, filename, git, none), `sections` "
                  "(impact, timeline, root_cause, action_items, lessons), `blameless` (bool), `action_item_links` "
                  "(int), `action_items_owned` (bool), `category`, `template` (bool)")),
            Kind("doc.incident_template",
                 "incident issue form/template",
                 "`kind` (issue-form, issue-template, mr-template)"),
            Kind("doc.debt_register",
                 "operational-debt register",
                 ("`format`, `entries` (int), `complete` (int: entries with every required field), "
                  "`missing_fields` (list), `toil_numeric` (bool: every open entry has numeric "
                  "toil_hours_per_week), `open` (int), `resolved` (int), `last_review` (ISO date or null), "
                  "`last_changed` (ISO or null), `postmortem_links` (int)")),
            Kind("doc.debt_doc",
                 "TECH_DEBT.md and similar",
                 "`title`"),
            Kind("doc.adr",
                 "ADR directory",
                 "`count`, `mentions_debt` (int)"),
            Kind("doc.policy",
                 "other operational policy docs",
                 ("`topic` (drift-sla, oncall, deployment, rollback, incident-process, toil-okr, dora-review, "
                  "alert-review)")),
            Kind("doc.automation",
                 "executable runbook",
                 "`tool` (ssm-automation, azure-automation, rundeck, stackstorm, workflow-dispatch)"),
            Kind("doc.debt_label",
                 "release-notes category for debt, or debt/maintenance issue template",
                 ("debt named as code: `via` (release-notes: a release-notes/changelog category for debt in "
                  "`.github/release.yml`, release-drafter or a changelog-builder JSON; issue-template: a "
                  "debt/maintenance/chore issue template), `name`, `labels` (release-notes), `debt` (bool: names "
                  "debt/toil)"),
                 strength="strong (a maintenance template alone: weak)"),
            Kind("doc.lint_debt",
                 ("lint-debt file (`.rubocop_todo.yml`, `phpstan-baseline.neon`, `detekt-baseline.xml`, eslint "
                  "suppressions, ...)"),
                 "`tool`, `lines`",
                 strength="strong"),
            Kind("doc.debt_marker",
                 ("repository: TODO/FIXME/HACK comments in product code and configuration (tests, samples, vendored, "
                  "generated and minified files left out; bounded to 3000 files)"),
                 "`count` (stops at 100), `files`, `capped` (bool), `examples` (first `path:line`s)",
                 strength="weak"),
            Kind("doc.upkeep_filing",
                 ("scheduled GitHub workflow that files upkeep work (upgrade, deprecation, stale, maintenance, "
                  "renewal) as issues or project items (`gh issue create`, `actions/add-to-project`, create-issue "
                  "actions)"),
                 "`name`, `files_to` (issues, project)",
                 strength="strong"),
            Kind("doc.incident_trend",
                 "monthly incident/reliability report file",
                 "`period` (YYYY-MM or null)"),
            Kind("doc.incident_tooling",
                 "incident tooling config (top two levels) or a workflow reacting to incident issues",
                 ("`tool` (firehydrant, rootly, incident-io, issue-workflow; from Azure: azure-service-health)"),
                 strength="weak"),
        ),
    ),
    Section(
        "Safe deployment — `collectors/repo/deploy.py` (source `repo`)",
        wing="repo",
        kinds=(
            Kind("deploy.strategy",
                 "rollout definition",
                 ("`tool` (argo-rollouts, flagger, codedeploy, ecs, lambda-alias, app-service-slots, "
                  "container-apps, istio, k8s, helm, beanstalk, alb), `kind` (canary, blue-green, linear, rolling, "
                  "all-at-once), `analysis` (bool: metric-based promotion), `health_gate` (bool), `auto_rollback` "
                  "(bool), `manual_pause` (bool: indefinite pause / manual promote), `keeps_old` (bool)")),
            Kind("deploy.flag_service",
                 "flag backend configured",
                 ("`tool` (appconfig, launchdarkly, unleash, flagsmith, flagd, azure-app-configuration, "
                  "growthbook, configcat, openfeature)")),
            Kind("deploy.flag_lifecycle",
                 "flag cleanup tooling",
                 "`tool`"),
            Kind("deploy.experiment",
                 "experimentation usage",
                 "`tool`"),
            Kind("deploy.rollback_doc",
                 "rollback procedure",
                 "`title`"),
            Kind("deploy.promotion",
                 ("deploying GitHub job or Cloud Deploy pipeline that promotes releases through pre-production "
                  "before production, one stage at a time"),
                 ("`tool` (github-matrix: a deploying job whose matrix lists environments ending in production with "
                  "`max-parallel: 1`; cloud-deploy: a Google Cloud Deploy serial pipeline in Terraform or a "
                  "`DeliveryPipeline` manifest), `stages` (ordered names, or null when they come from a variable), "
                  "`checks` (bool: smoke/test/verify between stages), `name`"),
                 strength="strong"),
            Kind("deploy.feature_gate",
                 ("repository whose code defines opt-in switches for new behaviour (`class Preview(Enum)`, "
                  "`UNSTABLE_FEATURES`, `FeatureGate` registries, `featuregate.NewFeatureGate()`; the first found)"),
                 "`name`",
                 strength="strong"),
            Kind("deploy.redeploy",
                 ("manually dispatched GitHub workflow that deploys a version chosen by its input (`sha`, `tag`, "
                  "`image`, `version`)"),
                 "`input`, `name`",
                 strength="strong"),
        ),
    ),
    Section(
        "Git history — `collectors/git/history.py` (source `git`)",
        wing="git",
        kinds=(
            Kind("git.history",
                 "repository",
                 ("`head`, `branch`, `shallow` (bool), `commits_90d`, `first_parent_90d`, `pr_merges_90d`, "
                  "`pr_merge_ratio` (float or null), `last_commit` (ISO), `first_commit` (ISO), `tags_365d`, "
                  "`authors_90d`")),
        ),
    ),
    Section(
        ("Hosting platform APIs — `collectors/platforms/github/` and `collectors/platforms/gitlab/`, shared parts in "
         "`collectors/platforms/common/` (source `github`/`gitlab`)"),
        wing="platforms",
        intro="""\
Settings reuse `scm.branch_rules` and `scm.environment` above (with `origin` api-classic / api-ruleset). Activity:
""",
        kinds=(
            Kind("scm.workflow",
                 "workflow (API)",
                 "`path`, `state` (active, disabled_manually, disabled_inactivity)"),
            Kind("scm.runs",
                 "repository",
                 ("`window_days`, `pr_runs`, `push_runs`, `schedule_runs_48h`, `scheduled_workflows_running` (list "
                  "of paths), `p50_duration_min`")),
            Kind("scm.code_scanning",
                 "repository",
                 "`state` (configured, not-configured)"),
            Kind("scm.deployments",
                 "repository",
                 "`window_days`, `production`, `successful`, `failed`, `environments`"),
            Kind("scm.releases",
                 "repository",
                 "`window_days`, `count`, `last`"),
            Kind("scm.reviews",
                 "repository",
                 "`window_days`, `merged`, `reviewed`, `ratio`"),
            Kind("scm.incidents",
                 "repository",
                 "`window_days`, `count`, `closed`, `median_hours_to_close`"),
            Kind("scm.labels",
                 "repository",
                 "`labels` (names), `debt_used_180d` (int)"),
            Kind("dora.metrics",
                 "repository",
                 ("`window_days`, `deploys`, `deploys_per_working_day`, `lead_time_hours_p50`, "
                  "`change_failure_rate`, `time_to_restore_hours_p50`, `sample` (dict metric -> n), `insufficient` "
                  "(list of metrics)")),
            Kind("scm.schedule",
                 "pipeline schedule (GitLab, full depth)",
                 "`description`, `cron`, `active` (bool), `ref`, `next_run_at`"),
            Kind("scm.unreadable",
                 "part of the platform the scan could not (or chose not to) read",
                 ("`what` (branch_protection, branch_rulesets, ruleset_bypass, environments, workflow_runs, "
                  "workflows, deployments, deployment_statuses, issues, labels, pull_requests, reviews, releases, "
                  "code_scanning; GitLab also dora_api, freeze_periods, pipeline_schedules), `call`, `status` (HTTP "
                  "status or null), `permission` (the fine-grained permission that would allow it, or null), "
                  "`reason`")),
        ),
        notes="""\
`scm.unreadable` (written by `collectors/platforms/common/unreadable.py` for every platform): the source is then
`partial` (still *usable*), so a probe that would conclude absence from missing `scm.branch_rules` /
`scm.environment` / ... MUST first check `ev.of("scm.unreadable", what=...)` and answer unknown with its
`reason` when present (`wafops.rules.probes.unreadable`). When the branch says `protected: false` and
rules-for-branch is empty, no `scm.unreadable` is emitted: the absence of `scm.branch_rules` is then proven.
""",
    ),
    Section(
        "Files that could not be read (engine, source `repo`)",
        wing="engine",
        level=3,
        kinds=(
            Kind("repo.unreadable",
                 ("file (or unlistable folder, path ending in `/`) a collector asked for and could not read "
                  "(`scanner/engine.py`)"),
                 ("`path`, `reason` (cannot read / larger than the limit / not valid UTF-8), `readers` (collector "
                  "names), `controls` (theirs)"),
                 strength="weak"),
        ),
        notes="""\
The `repo` source is then `partial`, and `missing(...)` with a `repo` need answers *not assessed* for probes of
those controls instead of *not met*. Binary files and dangling links are not counted; symbolic links pointing
outside the checkout are skipped with a warning and never read.
""",
    ),
    Section(
        "GitHub collector additions (`collectors/platforms/github/`, source `github`)",
        wing="platforms",
        level=3,
        intro="""\
- extra attributes: `scm.branch_rules` (api-ruleset) `rule_types`, `rulesets` (ids), `ruleset_sources`;
  `enforce_admins` is null unless the rulesets' bypass actors were read (github_depth=full).
  `scm.environment` from the API has `origin: api`. `scm.runs` `sample` (runs read), `complete` (false when
  more pages existed), `oldest`, `p50_sample`. `scm.deployments` `unknown_state`, `status_from`
  (statuses | runs | none), `complete`. `scm.reviews` `checked` (PRs whose reviews were read; `reviewed` and
  `ratio` are null when 0, i.e. at the default depth), `complete`. `scm.incidents` `labels`, `complete`.
  `scm.labels` `origin` (labels-api | issues: names seen on recent issues only), `debt_used_180d` null when
  issues were unreadable. `scm.code_scanning` `languages`. `dora.metrics` `deploy_source` (deployments |
  releases), `failed_deploys`, `lead_time_definition` (merge-to-deploy), `incidents_linked`, `link_hours`,
  `failed_deploy_recovery_hours_p50`, `status_from`; a metric listed in `insufficient` has value null.
""",
    ),
    Section(
        "GitLab collector additions (`collectors/platforms/gitlab/`, source `gitlab`)",
        wing="platforms",
        level=3,
        intro="""\
The same kinds and attributes as GitHub (probes read one vocabulary), with source `gitlab`:
- `scm.branch_rules` `origin: api-protected-branch` (the protected-branch entry covering the default branch, exact
  name or wildcard): `requires_pr` (nobody may push: access level 0 with no user/group/deploy-key exception),
  `required_reviews` (largest `approvals_required` of the approval rules covering the branch; 0 when not read),
  `code_owner_review` (`code_owner_approval_required`), `status_checks` (project `only_allow_merge_if_pipeline_succeeds`),
  `force_push_blocked`, `merge_queue` (merge trains), `dismiss_stale` / `last_push_approval` /
  `prevent_author_approval` (approval settings; null below full depth), `push_access`, `merge_access`
  (descriptions), `approval_rules` (count), `approval_rules_read`. Not emitted for an unprotected branch (proven).
- `scm.environment`: `tier`; `production` is true for `tier: production` as well as the name pattern;
  `required_reviewers` = approvals its protected environment requires (approval rules, else
  `required_approval_count`); `protected` (null when protected environments were not read), `deployers`, `state`.
- `scm.runs` from pipelines: `pr_runs` = `merge_request_event` pipelines, `scheduled_workflows_running` = the CI
  config path (`.gitlab-ci.yml`) when a `schedule` pipeline ran in 48 h, `failed_runs`; `scm.schedule` (table
  above) lists the pipeline schedules themselves.
- `scm.incidents` counts issues with `issue_type: incident` or an incident label (`typed_incidents`: the former).
- `change.freeze` `mechanism: gitlab-freeze-period` (strong), `freeze_start`, `freeze_end`, `cron_timezone`.
- `dora.metrics` `computed_by` (wafops | gitlab-dora-api), `tier` (free | premium | ultimate | unknown: GitLab shows its own
  DORA charts on Ultimate only, so a computed figure is not one the team sees in GitLab).
- `scm.unreadable` `plan_limitation: true` (with `tier`, `needs_tier`, `feature`): the group's tier lacks the feature
  (approval rules, protected environments, DORA API on Free). Nothing is hidden: `wafops.rules.probes.unreadable` answers
  *not met* with the plan limitation as the reason. `what` names the part as for GitHub (`branch_rulesets` for approval
  rules, `environments` for protected environments, `dora_api`, `freeze_periods`, `pipeline_schedules`).
""",
    ),
    Section(
        ("Change, docs and git-history additions (`collectors/repo/change/`, `collectors/repo/docs/`, "
         "`collectors/git/history.py`)"),
        level=3,
        intro="""\
- `git.history`: `pr_merges_90d` counts first-parent commits that landed through a PR/MR (merge subjects
  `Merge pull request #`, GitLab `See merge request g/p!n` in the body, Azure `Merged PR n`, squash suffix
  `(#n)`, Bitbucket `(pull request #n)`, bors `Merge #n`, or committed by GitHub's web-flow identity
  `noreply@github.com`); bot-authored commits (`[bot]`, renovate, dependabot) are left out of both counts
  and counted in `bot_commits_90d`. Also `first_parent_365d`, `pr_merges_365d`, `pr_merge_ratio_365d`
  (probes fall back to 365 d when 90 d holds < 5 commits). A shallow clone: source `git` is `partial`,
  `shallow: true`, strength weak; history probes answer unknown.
- `change.codeowners`: `owner_sets` (distinct owner lists), `section_approvals` (highest GitLab
  `[Section][n]` approval count, 0 if none). `change.risk_routing`: `risk_labels` (bool, labeler),
  `labels`; tool `risk-gate-workflow` (a CI check that demands more approvals for `risk:high` changes) with
  `min_approvals` (0 when the count could not be read). `change.labels` may come from `.github/settings.yml`.
- `scm.branch_rules` (terraform): `enforcement` (ruleset: active/evaluate/disabled; only `active` sets
  requires_pr/required_reviews), `bypass_actors` (int), `approval_rule` (true for
  `gitlab_project_approval_rule`).
- `doc.runbook`: `change_dates` (git change dates, newest first, <= 50), `inline_commands` (inline code
  spans that start with a CLI such as kubectl/aws/curl/systemctl). `dates_from: git` with
  `last_changed: null` means the file did not change within the ~400-day history window. Dates come from
  git only for a full clone of the repository's top level.
- `doc.postmortem`: `index` (bool: an index page listing incident reviews).
- `doc.incident_template`: `postmortem` (bool), `sections` (impact, timeline, root_cause, action_items,
  lessons from headings or issue-form labels), `blameless` (bool).
- `doc.debt_register`: `parsed` (bool; false also warns), `toil_open` (sum over open entries), `dates_from`,
  `history` (git snapshots at quarter ends over the last year: `date`, `entries`, `open`, `toil_open`),
  `quarters` (`end`, `created`, `resolved` entry counts per quarter).
- `scm.incidents` (optional, for a platform collector): `action_items_done_ratio` (share of postmortem
  action items closed by their due date), read by OPS-070 L4.
""",
    ),
    Section(
        ("CI and deploy collector additions (`collectors/repo/ci/`, `collectors/repo/deploy.py`, source "
         "`repo`)"),
        wing="repo",
        level=3,
        intro="""\
- `ci.pipeline` `system` also `travis`. `ci.job` `steps` also `release` (package/image publishing:
  `npm publish`, `twine upload`, `docker push`, release actions; never counted as a deploy). A job's
  `environment` inferred from its name (`deploy-prod`, Jenkins `stage('Deploy to Production')`), from a
  CircleCI context, or from a `workflow_dispatch` choice/matrix value behind `${{ }}` has strength `strong`.
  GitLab security/Auto-DevOps templates appear as pseudo-jobs named `<template> (template)`.
- `deploy.strategy` also `name` (rollout/resource name). `deploy.flag_service` may carry `flags` (int,
  flagd files). Files under examples/tests/fixtures/docs/demo directories are not read as deployments.
""",
    ),
    Section(
        "Alerting, docs and observability additions",
        level=3,
        intro="""\
- `obs.slo` may also come from the alerting collector: `spec: prometheus-rules` for a recording rule named
  `slo:...` whose expression is a constant objective (GitLab metrics-catalog output, Sloth `slo:objective:ratio`).
- `alert.rule.signal` follows the team's own label when present (`alert_type`/`signal: symptom|cause`);
  `paging` also from routing labels (`pager: pagerduty`, `page: "true"`) and severity `s1`.
- `alert.routing` may come from an Alertmanager config kept as jsonnet/ERB/Jinja/Go template (receiver types
  by keyword, strength strong).
- `obs.anomaly.mechanism` also `prometheus-zscore` (strong: `(x - mean) / stddev > n` rules);
  `prometheus-forecast` (predict_linear) stays weak.
- `doc.runbook` also for documents an alert rule names as its runbook (`runbook: docs/<svc>/README.md`, strength
  direct, never an index by name) and runbook-shaped pages in `alerts/` folders (per-alert playbooks).
- `deploy.flag_service` `tool` also `in-house` (a module named for feature flags/toggles: weak; a flag definition
  catalogue such as GitLab's `config/feature_flags/**.yml`: strong) with `module` (its directory or file) and `flags`
  (definition files, or null). `iac.resource` `tfe_workspace` may come from a workspace wrapper module
  (`<ns>/workspacer/tfe` with a `vcs_repo` input): strength strong, `facts.via_module` holds the module source.
""",
    ),
    Section(
        "CI, IaC and deploy additions (Terragrunt, GitLab templates, drift sync)",
        level=3,
        intro="""\
- `ci.job` `drift_sync` (string or null): the job reports plan/drift results to a drift-tracking platform
  (`terramate-cloud` for `terramate run --cloud-sync-drift-status`), which keeps drift history per stack and
  notifies from its own settings. OPS-090 reads it as a drift log (strong) and an unconfirmable alert (weak).
- `iac.module` (terragrunt): `source` has `${local.x}` / `${include.<n>.locals.x}` resolved from string locals of
  shared Terragrunt files (`_envcommon/*.hcl`, `root.hcl`); an unresolved base with `?ref=` is a git source.
- IaC `role`: a `qa` directory marks sample code only at the top level (GitLab's `qa/`); nested under an
  account/region/`envs` folder it is an environment (`non-prod/us-east-1/qa/mysql` is `root`).
- `ci.job` `shared_base` (string or null, GitLab): a hidden job (`.name`) the job extends that no local file defines
  while the pipeline has project/component/remote includes, i.e. the job comes from a shared pipeline library.
  GitLab `include: local:` globs follow GitLab: `*` stays in one directory, `**` crosses directories.
""",
    ),
    Section(
        "Observability additions (monorepos, APM agents, chart rules)",
        level=3,
        intro="""\
- `dep.manifest` `local_deps` (list of manifest directories of this repository it depends on at runtime: npm/yarn/pnpm
  workspace packages by `name`, .NET `<ProjectReference>`), `library` (bool: another product manifest depends on it
  and it is not deployable). Coverage probes leave libraries out of the service denominator and count a service
  as covered when a package it imports (transitively) has the item (the shared logger package of a monorepo).
- `doc.postmortem` may come from an incident log page (`incident-log`, `incident-history`, `outage-log`, or dated
  `Incident on YYYY-MM-DD` headings): one item per dated entry, located at its heading, `date_from: heading`,
  `log_entry: true`; sections also come from bold field labels (`- **Impact**:`, `- **Key events**`, `- **Review
  actions**`). Docs collectors read `.mdx` and `.md.erb` (GOV.UK tech-docs) pages; `last_reviewed_on` front matter
  counts as `last_reviewed`.
""",
    ),
    Section(
        "Observability and change additions (Sentry tracing, plugin requirements, Prow OWNERS)",
        level=3,
        intro="""\
- `obs.tracing` `mechanism` also `sentry-performance` (with `service`): a Sentry SDK initialised in code with tracing on
  (`traces_sample_rate`/`tracesSampleRate` > 0, `traces_sampler`/`tracesSampler`, `enable_tracing`); OPS-030 reads it as
  tracing, central telemetry and RED (an APM in effect). A fractional rate or a sampler callback also yields
  `obs.sampling` (`code:sentry-...`). Not emitted for files inside a plugin directory named for the vendor
  (`components/sentry/`, `integrations/sentry/`): those are product integrations.
- `dep.package`: requirements under a `# app.components.<name>` comment (Home Assistant `requirements_all.txt`) are a
  plugin's optional dependencies and are treated as non-runtime.
- `change.codeowners` may come from Prow `OWNERS` files (no CODEOWNERS present, root `OWNERS` names approvers/reviewers,
  also under `filters`): `format: prow-owners`, `rules`/`owner_sets` = number of OWNERS files, `covers_*` true.
""",
    ),
    Section(
        "CI additions (central CI configuration, Prow, benchmark deploys)",
        level=3,
        intro="""\
- `ci.pipeline` `system` also `prow` (in-repo `.prow.yaml` / `.prow/*.yaml`: presubmits are `pull_request` jobs,
  postsubmits `push`, periodics `schedule`; steps from the pod containers' `command` + `args`).
- `ci.external` (CI/CD table): OPS-010 counts it as weak evidence for "a pipeline exists" and "tests run on PRs" (Prow
  gates every PR on presubmits), and answers "not assessed" instead of "not met" for quality-stage and shared-template
  criteria when it is present.
- `ci.job`: a deploy step in a job/workflow named for a benchmark/load/perf/soak test with no environment is classed
  `test` (prombench), like deploys into a throwaway kind/k3d cluster.
""",
    ),
    Section(
        "CI and IaC additions (configuration management, Zuul)",
        level=3,
        intro="""\
- `iac.code` `tool` also `ansible`, `puppet`, `chef`, `salt` (configuration management counts as IaC). Ansible playbooks
  (YAML lists of plays with `hosts` + tasks/roles, or `import_playbook`) are `root`, one item per directory with
  `resources` = plays; roles (`<...>roles/<name>/tasks/main.yml`) are grouped per `roles/` folder as `module`; a role
  repository (top `tasks/main.yml` + `meta/main.yml`) is one module. Puppet `.pp` grouped per `modules/` tree or
  directory (`site.pp`/`Puppetfile` dirs are roots); Chef cookbooks grouped per cookbooks folder (module), `Policyfile.rb`
  a root; Salt `.sls` grouped under the `top.sls` state tree (root). OPS-020 reads root CM code as "no state file"
  (remote state and locking met, like platform-managed state); `resources` counts plays/declarations/files.
- `iac.plan_target` `tool` also `ansible-playbook`/`puppet` (`--check`/`-C`/`--noop` dry runs).
- step classes: `ansible-playbook` is `deploy` unless `--check`/`-C` (then `plan`) or `--syntax-check` (then `lint`);
  `puppet agent|apply` (`--noop` = plan), `salt ... state.apply|highstate` (`test=True` = plan), `chef-client`
  (`--why-run` = plan), AWX/Tower launches are deploys; `ansible-lint`, `puppet-lint`, `salt-lint`, `cookstyle` are lint;
  `molecule test`, `kitchen test`, `ansible-test units|integration` are tests.
- `ci.pipeline` `system` also `zuul` (`.zuul.yaml`, `zuul.yaml`, `.zuul.d/`, `zuul.d/`): jobs per project pipeline
  (check/gate -> `pull_request`, post/promote -> `push`, periodic -> `schedule`, release/tag -> `tag`); a job not
  defined locally (or whose parent chain ends in one) has `template: zuul:<library job>` and strength strong, its
  step classes inferred from the job names (`tox-py311` test, `*lint*` lint); project `templates` become one
  pseudo-job `<template> (template)` each, on `pull_request`.
""",
    ),
    Section(
        "Alerting and observability additions (New Relic/Datadog monitors as code)",
        level=3,
        intro="""\
- `alert.rule` `pager_target` (true: the rule's own notification names a pager - `@pagerduty-x`, an action/topic
  named oncall/critical; false: it names none; null: the target is a Terraform variable, so where it goes is set
  elsewhere). OPS-040 "routes to a paging service" reads it for Datadog/CloudWatch/Azure/Google rules; `paging`
  (the alert is meant to page) may also come from Datadog tags `severity:`/`priority:`/`urgency:`.
- `alert.rule` `windows` of a Datadog `burn_rate(...)` monitor: `long_window`/`short_window` (the short one is 1/12 of
  the long one when not written), so such a monitor is multi-window.
- `obs.slo` `spec` also `nobl9` (sloctl YAML `apiVersion: n9/v1alpha`, kind SLO). `obs.slo` (terraform) `address` (`datadog_service_level_objective.availability`): burn-rate monitors referencing it
  cover that SLO.
- `obs.structured_log` `mechanism` also `code:custom-json-formatter` (a `logging.Formatter` subclass in a file that
  serialises with json.dumps); `obs.log_correlation` `mechanism` also `code:apm-logs-in-context` (New Relic
  `get_linking_metadata()`/NewRelicContextFormatter, ddtrace `patch(logging=True)`).
- `ci.job` of a GitHub job calling another repository's reusable workflow (`org/x/.github/workflows/deploy_env.yml@v2`):
  step classes implied by the workflow's file name (`gradle_verify` test, `test_helm_lint` lint, `security_trivy`
  security, `deploy_env` deploy; `wafops.collectors.repo.ci_steps.classes_from_name`, shared with Zuul library jobs), command-like
  `with:` inputs (`gradle-command`, `script`, `args`) classified as steps, and `environment` from a `with: environment:`
  input when the job deploys; strength strong.
- `change.labels` may come from Terraform (`github_issue_label(s)`, `gitlab_label`, `gitlab_project_label`,
  `gitlab_group_label`): `origin: terraform`, names read from the directory's map keys / `{name, color}` objects.
""",
    ),
    Section(
        "Change additions (CODEOWNERS without paths, labels from templates)",
        level=3,
        intro="""\
- `change.codeowners` `rules` counts only rules that name an owner; `unowned_rules` (int) counts patterns with no owner
  (a file of bare user names, one per line, assigns nobody and so is no review rule).
- `change.labels` `origin: templates`: labels that issue/MR templates apply (GitLab `/label ~"Change::Emergency"` quick
  actions outside HTML comments, GitHub issue-form / front-matter `labels:`); one evidence for all templates.
""",
    ),
    Section(
        "IaC additions (Atmos stacks)",
        level=3,
        intro="""\
- `iac.backend` `tool: atmos`: a backend declared in an Atmos stack manifest (`terraform.backend_type` + `terraform.backend.<type>`
  under the `stacks.base_path` of an `atmos.yaml`); an s3 override without `bucket` has `lock: unknown` (inherited via imports).
""",
    ),
    Section(
        "Observability additions (Go modules, browser apps, Aspire, alert rules in ConfigMaps)",
        level=3,
        intro="""\
- `dep.manifest` `frontend` (bool): a node manifest of a browser app (React/Vue/Angular/Svelte/Preact/Solid/Lit
  in runtime dependencies, no server framework or database client). Log/trace coverage leaves such apps out when
  the repository also has a server. `local_deps` also links Go modules of the repository that another go.mod
  requires (the required module is then a `library`). `orchestrator` (bool): a .NET Aspire AppHost project
  (`<IsAspireHost>true`, `Aspire.AppHost.Sdk`); its ProjectReferences start services rather than link them, so they
  make no `local_deps`, and the AppHost is no service for coverage.
- `obs.structured_log` `mechanism` also `code:zapcore.NewJSONEncoder`, `code:formatters.JSON` (mattermost/logr),
  and config switches (`LOG_FORMAT=json`, `logFormat: json`, `"ConsoleJson": true`, `json_logs: true`).
- `alert.rule` also from rule files named `*.rules`, from Prometheus 1.x syntax (`ALERT Name IF expr FOR .. LABELS {..}
  ANNOTATIONS {..}`), and from rule files / Alertmanager configs carried as strings in a ConfigMap's `data`
  (`alert.routing` likewise).
""",
    ),
    Section(
        "Docs additions (informal debt tracking, `collectors/repo/docs/`)",
        level=3,
        intro="""\
- `doc.debt_label`, `doc.lint_debt`, `doc.debt_marker` and `doc.upkeep_filing` (Documents table) are informal debt
  tracking a reader sees in the repository itself (`collectors/repo/docs/debt_signals.py`); OPS-100 reads
  `doc.upkeep_filing` as informal tracking and scheduled upkeep.
""",
    ),
    Section(
        "IaC additions (convergence, shared drift actions, Config Sync, templates — `collectors/repo/iac/`)",
        level=3,
        intro="""\
- `drift.tool` `converges: true` — a configuration-management agent re-applying the configuration on a schedule:
  `tool` (chef-client, puppet-agent, salt-minion, ansible-pull), `family` (chef, puppet, salt, ansible),
  `interval_hours` (null when a timer only fires at boot), `via` (systemd timer, cron, chef_client_* resource,
  agent service, runinterval setting, minion schedule), `automated_remediation` (false for --noop/--why-run runs).
- `drift.tool` `tool: scheduled-action` — a scheduled GitHub job calling another repository's plan/drift action or
  reusable workflow (classified by its name and inputs; strong): `action`, `pipeline`, `job`, `interval_hours`,
  `schedule`, `notifies` (a webhook/notification input or a notify step), `environment`.
- `gitops.app` `tool: config-sync` — RootSync/RepoSync objects and `config_sync { git|oci {...} }` of GKE fleet
  features in Terraform (`source_dir`).
- `iac.module` `tool: chef|ansible`, `used_by` — a cookbook of this repository named by the run lists of `used_by` roles;
  Chef roles/environments are `iac.code` roots; for Ansible, a role of the repository and how many playbooks apply it.
- Templated manifests (`*.yaml.erb`, `*.yaml.j2`, `*.yaml.tpl`, Go-templated YAML) are parsed tolerantly (directive
  lines dropped, inline expressions stubbed); Helm chart templates yield only reconcilers and admission policies.
""",
    ),
    Section(
        "CI and change additions (deploy tools, names as evidence)",
        level=3,
        intro="""\
- `ci.pipeline` `system` also `shipit` (`shipit.yml`/`shipit.<stack>.yml`: `deploy`/`rollback` override commands, trigger
  `manual`; `$ENVIRONMENT` resolved from the per-environment directories the commands render, e.g. `config/deploy/production`)
  and `cdp` (a `delivery.yaml` whose `pipeline` steps have `id`/`type`/`when`; `type: deploy` steps are deploys, step
  classes also from `id`/`desc`). Cloud Build files that run `gcloud deploy releases create` deploy to the Cloud Deploy
  targets the repository declares (`google_clouddeploy_target`, `kind: Target`), production first; strength strong.
- `ci.job` `environments` (list): every environment a deploy job may target (environment, matrix/input/branch candidates,
  declared targets). A deploy job without an environment key takes production from its name, a target variable
  (`env: ENVIRONMENT: production`, not NODE_ENV/RAILS_ENV), a step input (`with: environment: prod`), the workflow's
  name or file name (`deploy-production.yml`), or the pushed branch (`production`, or `stable` among release-channel
  branches dev/alpha/beta); an environment computed from the ref (`${{ needs.x.outputs.env }}`) takes the push branch
  names as candidates. Step classes: `krane deploy` deploys, `skaffold test|verify` tests; a path naming CodeQL
  (`rm -rf …/CodeQL`) is no security scan (only `github/codeql-action` or the `codeql database|analyze|…` CLI).
- `change.freeze` `mechanism: deploy-window-doc` (weak): deployment windows on a deployment/release process page.
- `change.pr_template` field `risk` also from a security review asked of each change (threats, STRIDE, "security-related").
- Observability/alerting (templates, platforms, uptime): YAML kept as a configuration-management or Terraform template
  (`*.yml.erb`, `*.yaml.j2`, `*.rules.tmpl`, ...) and Go-templated manifests outside charts are parsed with directives
  stubbed (`TEMPLATED`). `obs.platform` `tool: prometheus` from a server config also has `server` (true), `scrape_jobs`
  (int), `remote_write` (bool), `provisioned` (bool: rendered from a template); platforms from a compose image carry
  `origin: compose`. `dep.manifest` `load_test` (bool: a load-testing framework among its runtime dependencies);
  `deployable` also for Java builds that make their own image (Jib, build-image). `obs.tracing` `mechanism` also
  `azure-app-insights-agent` (Application Insights switched on in App Service/Function App settings: platform-wide).
  `obs.log_correlation` `mechanism` also `java-agent-mdc` (a JSON layout writing the MDC where the OTel/App Insights
  Java agent puts trace ids) and Datadog log injection in code (`code:apm-logs-in-context`); `obs.structured_log`
  `mechanism` also `json-log-pattern`. `alert.availability_probe` `notifies` (bool: contact groups/actions given),
  `via: module` for uptime checks set up through a Terraform module given URLs; `tool: uptime` also for StatusCake.
""",
    ),
    Section(
        "Deploy additions (staged promotion, feature gates, redeploys; `collectors/repo/deploy.py`)",
        level=3,
        intro="""\
- `deploy.promotion`, `deploy.feature_gate`, `deploy.redeploy` (Safe deployment table): OPS-080 also reads production
  deploy jobs that `needs` a deploy to a non-production environment as promotion; a feature gate counts as flags for
  OPS-080 level 2, not as a flag *service*; a redeploy workflow is a manual rollback path.
- `iac.module` `vendored_from` — a local module path a Makefile/script fills by `git clone <url>` (then `source_kind: git`).
- `drift.tool` `tool: documented-reconciler` — a README (top level or in an IaC directory) that names the controller
  applying its IaC paths ("will be applied by Cluster Lifecycle Manager") and says it is automatic: `reconciler`,
  `paths`, `documented: true`; strong for "applied by a reconciler", read as weak for drift checks.
- `doc.runbook` also for operational procedure pages without "runbook" in the path: a page in a docs/documentation/
  guides/handbook/ops folder (or at the top) named for an operation (disaster recovery, restore, failover, rollback,
  rebuild, maintenance mode, break-glass; upgrades/migrations/rotations only of a named component such as
  `aks-upgrade`) that gives its steps (>= 3 operations commands, or numbered steps under a remediation/rollback/
  verification heading); strength strong, summary "operational procedure".
""",
    ),
    Section(
        "Azure (`collectors/cloud/azure/`, source `azure`; locator: the Azure resource id)",
        wing="cloud",
        level=3,
        intro="""\
Live resources become the kinds their Terraform `azurerm_*` equivalents make, through one translation per
resource type (`collectors/translate/azure.py`, API shape canonical, `*_from_terraform` adapters): metric,
log search and activity-log alerts -> `alert.rule` (origin azure-monitor, also `kind`); action groups ->
`alert.routing` (also `name`); dynamic thresholds and smart detection -> `obs.anomaly`; web tests ->
`alert.availability_probe`; workspaces -> `obs.log_retention` (tool azure) and `obs.platform`; Application
Insights -> `obs.platform` (`workspace_based`), `obs.sampling`; diagnostic settings -> `obs.log_shipper`
(tool diagnostic-settings, `metrics`, `destinations`: log-analytics, event-hub, storage, partner); workbooks
and portal dashboards -> `obs.dashboard` (tool azure); slots, Container Apps, Traffic Manager ->
`deploy.strategy` (tools app-service-slots, container-apps, traffic-manager); App Configuration stores ->
`deploy.flag_service` (weak); locks -> `iac.resource` type `azurerm_management_lock` (`facts.lock_level`,
`live: true`); policy assignments and remediation tasks -> `drift.tool` azure-policy (`enforce`); storage
accounts holding Terraform state -> `iac.backend` azurerm (`versioning`, `soft_delete`, `live: true`; opt-in
`state_read`, `state_files`, `state_resources`);
Automation accounts -> `doc.automation` azure-automation (`runbooks`, `jobs_90d`); Service Health alerts ->
`doc.incident_tooling` azure-service-health (weak). New kinds:
""",
        kinds=(
            Kind("cloud.inventory",
                 "subscription",
                 "`provider`, `subscription`, `name`, `resources`, `groups`, `types`"),
            Kind("cloud.unreadable",
                 "part that could not be read",
                 ("`what`, `call`, `status`, `code`, `error` (denied, throttled, unregistered, error), `reason`, "
                  "`probes` (whose absence it hides; `wafops.rules.probes.missing` answers not assessed), "
                  "`retry_after`, `not_registered`")),
            Kind("iac.coverage",
                 "subscription",
                 ("`scope`, `ratio` (IaC-managed / inventory: ARM/Bicep `outputResources` or IaC tags on the "
                  "resource or its group), `managed`, `inventory`, `by`")),
            Kind("iac.deployments",
                 "resource group with ARM/Bicep deployments",
                 "`group`, `count`, `succeeded`, `last`, `template_link`"),
            Kind("obs.diagnostics_coverage",
                 "subscription",
                 "`resources` (of types with platform logs), `read`, `covered`, `ratio`, `sampled`"),
            Kind("cloud.changes",
                 "subscription",
                 ("`window_days`, `events`, `writes`, `by_people`, `via_portal`, `by_automation`, `people_share`, "
                  "`complete`")),
            Kind("policy.compliance",
                 "subscription (Azure Policy state summary)",
                 ("`non_compliant_resources`, `non_compliant_policies`, `assignments`; `drift.tool` azure-policy "
                  "items carry `non_compliant_resources` per assignment")),
        ),
    ),
    Section(
        "Cloud additions (AWS collector, `collectors/cloud/aws/`, source `aws`)",
        wing="cloud",
        level=3,
        intro="""\
The AWS collector writes the kinds above for the resources it reads (the same attributes as the Terraform/
CloudFormation readers: `collectors/translate/aws.py`), with the ARN as `locator.resource`. Extra attributes:
`alert.rule` `region`, `actions_reach` (receiver types the alarm's SNS topics deliver to); `obs.log_retention`
`tool: cloudwatch`, `stored_bytes`; `iac.code` (tool cloudformation, one per live stack) `drift_status`;
`iac.backend` (a Terraform state bucket) `versioning`, `encryption`, `public_access_blocked`, `states`,
`lock_tables`; `iac.resource` `tool: aws-api` (Config recorder status and rules, SCPs); `doc.automation`
`executions_90d` (null when unreadable); `ci.job` (CodePipeline stage) `rollback_on_failure`. New kinds:
""",
        kinds=(
            Kind("cloud.trail",
                 "CloudTrail trail (read in the home region)",
                 "`name`, `multi_region` (bool), `organization` (bool)"),
            Kind("change.console_write",
                 "account: write events of the home region's CloudTrail (at most 500 over the window)",
                 ("console write events by people over a window: `window_days` (option `aws_console_days`, 30), "
                  "`events` (by people through the console), `sampled` (write events read), `names` (event names, "
                  "at most 20)")),
        ),
        notes="""\
- `cloud.unreadable` (as for Azure) from AWS: one per area with failed calls: `what` (area), `calls`, `kinds`
  (denied, throttled, region, absent, not_in_org, not_read, error), `regions`, `reason`, `probes` (whose absence it
  hides), `controls`; weak. `wafops.rules.probes.missing` answers *not assessed* with the reason for those probes.
- `iac.coverage` from AWS (opt-in `aws_read_state`): `scope` (`aws:ACCOUNT`), `ratio`, `managed`, `inventory`
  (tagged resources, Resource Groups Tagging API), `unmanaged_examples` (first ARNs in no Terraform state or stack).
- No probe reads `cloud.trail` or `change.console_write` yet.
""",
    ),
)


def _registry() -> dict[str, Kind]:
    """Every kind by name: the first table that lists it (a kind a second section lists again, such as
    `iac.coverage` for the cloud collectors, keeps its first entry)."""
    out: dict[str, Kind] = {}
    for section in SECTIONS:
        for kind in section.kinds:
            out.setdefault(kind.name, kind)
    return out


KINDS: dict[str, Kind] = _registry()


def registered(name: str) -> bool:
    """Whether a kind is registered; a name ending in `.*` (a prefix, as `EvidenceSet.of` reads it) is when at
    least one registered kind starts with the prefix."""
    if name.endswith(".*"):
        prefix = name[:-1]
        return any(k.startswith(prefix) for k in KINDS)
    return name in KINDS


def render() -> str:
    """The whole of collectors/KINDS.md."""
    return f"# {TITLE}\n\n{PREAMBLE}\n" + "\n".join(s.render() for s in SECTIONS)


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
