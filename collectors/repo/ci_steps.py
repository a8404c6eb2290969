"""D-STEP: classify CI steps (a `uses:`/`run:`/`script:` text) into step classes.

Why one shared module: the CI collector stores the classes on `ci.job.steps`/`ci.job.matched`, and
every other helper (drift, change, deploy) reads them from there instead of re-parsing pipelines.
The regexes cover the classic classes (lint, test, security, deploy, plan, smoke, policy) and add those
later controls need (apply, build,
drift, notify, metrics, rollback, release). Only the matched keyword is ever kept, never the whole
command line (commands can hold secrets).

Also here: the smallest interval of a cron expression (`cron_interval_hours`), because scheduled
pipelines are how drift detection and nightly checks show up.
"""

from __future__ import annotations

import operator
import re
from datetime import date, timedelta

from wafops.collectors.repo.pattern_words import may_match, required_words

# Order matters only for readability; a step may fall into several classes.
STEP_PATTERNS: dict[str, str] = {
    "test": (
        r"\bpytest\b|\btox\b(?!\.ini)|\bnox\b|\bgo test\b|\bgotestsum\b|\b(?:npm|pnpm|yarn|bun)\b[^\n&|;]*?\s(?:run\s+)?test(?::[\w:-]+)?(?=\s|$|;|&)"
        r"|\b(?:nx|turbo|lerna|rush|just|task|mage|earthly|npx nx)\b[^\n]*?\btest\b|(?:^|[\s/])(?:scripts?|bin|hack|ci|tools)/[\w./-]*test[\w.-]*"
        r"|\bjest\b|\bvitest\b|\bmocha\b|\bkarma\b|\bplaywright test\b|\bcypress run\b"
        r"|\bmvnw?\b[^\n]*?\b(?:test|verify|install)\b|\bgradlew?\b[^\n]*?\b(?:test|check|build)\b|\bdotnet test\b"
        r"|\brspec\b|\bphpunit\b|\bpest\b|\bcargo (?:test|nextest)\b|\bmake\s+(?:[\w=-]+\s+)*(?:test|tests|check|unit|integration|ci)\b"
        r"|\bmake\s+(?:[\w=-]+\s+)*[\w-]*?[_-](?:test|tests|unit|integration)(?:[_-][\w-]*)?(?=\s|$|;|&|\))"
        r"|\bmake\s+(?:[\w=-]+\s+)*(?:test|tests|unit|integration)[_-][\w-]*(?=\s|$|;|&|\))"
        r"|\bctest\b|\bbazel(?:isk)? test\b|\bmix test\b|\bpython -m unittest\b|\bunittest\b|\bhatch (?:run )?test\b"
        r"|\bswift test\b|\bflutter test\b|\bsbt\b[^\n]*?\btest\b|\bterraform test\b|\bterratest\b|\bbats\b|\bhelm unittest\b"
        r"|\bmolecule (?:test|verify|converge)\b|\bkitchen (?:test|verify)\b|\bpdk test unit\b|\brspec-puppet\b|\bansible-test (?:units|integration|sanity)\b"
        r"|\bct (?:lint-and-install|install)\b|\brake (?:test|spec)\b|\bbundle exec (?:rake|rspec)\b|\bcodecov\b"
        r"|\bskaffold (?:test|verify)\b"
    ),
    "lint": (
        r"\bruff\b|\bflake8\b|\bpylint\b|\bmypy\b|\bpyright\b|\bblack --check\b|\bisort --check|\beslint\b|\bbiome\b"
        r"|\bgolangci[-/]lint\b|\bgo vet\b|\bgofmt\b|\bstaticcheck\b|\btflint\b|\bterraform fmt\b[^\n]*?-check|\bterraform validate\b"
        r"|\btofu (?:fmt|validate)\b|\bhadolint\b|\byamllint\b|\bprettier\b[^\n]*?--check|\bshellcheck\b|\brubocop\b"
        r"|\bcargo (?:clippy|fmt)\b|\bpre-commit\b|\bactionlint\b|\bmarkdownlint\b|\bstylelint\b|\bkubeconform\b|\bkubeval\b"
        r"|\bhelm lint\b|\bcfn-lint\b|\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:lint|format:check|typecheck|type-check)\b"
        r"|\bmake\s+(?:[\w-]+\s+)*lint\b|\btsc --noEmit\b|\bsuper-linter\b|\bmegalinter\b|\bcheckstyle\b|\bspotless\b|\bktlint\b"
        r"|\bdetekt\b|\bphpstan\b|\bpsalm\b|\bswiftlint\b|\bcode.?quality\b|\bsonar(?:qube|cloud|-scanner|source)?"
        r"|\bpromtool (?:check|test)\b|\bamtool check-config\b|\bjsonnet-lint\b"
        r"|\bansible-lint\b|\bansible-playbook\b[^\n]*?--syntax-check|\bansible-review\b|\bpuppet-lint\b|\bpuppet parser validate\b"
        r"|\bcookstyle\b|\bfoodcritic\b|\bsalt-lint\b"
        # GitOps repositories validate by rendering every Flux/Kustomize tree (flux-local test, flux build)
        r"|\bflux-local\b|\bflux build (?:kustomization|ks)\b|TerraformTask[\w@]*:validate"
        # package-script and monorepo-tool shapes: `yarn backstage-cli repo lint`, `yarn prettier:check`,
        # `yarn tsc:full` (type checking), `nx affected -t lint`
        r"|\b(?:npm|pnpm|yarn|bun|npx)\b[^\n&|;]*?\s(?:run\s+)?lint(?::[\w:-]+)?(?=\s|$|;|&)"
        r"|\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:prettier|format|fmt)[:-]check\b"
        r"|\b(?:npm|pnpm|yarn|bun|npx)\s+(?:run\s+)?(?:tsc|typecheck|type-check|types?:check|check-types)(?::[\w-]+)?(?=\s|$|;|&)"
        r"|\b(?:nx|turbo|lerna|rush)\b[^\n]*?\blint\b"
        # the team's own lint script (`scripts/lint.sh`, `hack/verify-golangci-lint.sh`, CFT's `/usr/local/bin/test_lint.sh`)
        r"|(?:^|[\s/])(?:scripts?|bin|hack|ci|tools)/[\w./-]*?lint[\w-]*(?:\.(?:sh|bash|py|rb|ps1))?(?=\s|$|;|&|\)|')"
    ),
    "security": (
        # the CodeQL CLI as a command, not a path that names it (`rm -rf /opt/hostedtoolcache/CodeQL` frees disk space)
        r"github/codeql-action|(?:^|[\s;&|(])codeql\s+(?:database|github|analyze|pack|resolve|query)\b|aquasecurity/trivy-action|\btrivy\b|\bsnyk\b|\bcheckov\b|\btfsec\b|\bterrascan\b"
        r"|\bkics\b|\bsemgrep\b|\bgitleaks\b|\btrufflehog\b|\bgrype\b|anchore/scan-action|dependency-check|dependency-review-action"
        r"|Security/SAST|Secret-Detection|Dependency-Scanning|Container-Scanning|Jobs/SAST|\bbandit\b|\bgosec\b|\bgovulncheck\b"
        r"|\b(?:npm|pnpm|yarn) audit\b|\bpip-audit\b|\bsafety check\b|\bcargo (?:audit|deny)\b|\bosv-scanner\b|\bzizmor\b"
        r"|ossf/scorecard-action|\bdocker scout\b|\bbrakeman\b|\bbundler-audit\b|\bmend\b|\bwhitesource\b|\bprisma(?:cloud)?\b"
        r"|\bdetect-secrets\b|\bggshield\b|\bstackhawk\b|\bzap-(?:baseline|full-scan)|\bnancy\b|AdvancedSecurity-"
    ),
    "smoke": (
        r"\bsmoke\b|smoke[-_ ]?test|\bhealth[-_ ]?check|\bk6 run\b|\bnewman run\b|\bwget --spider\b"
        r"|\bcurl\b[^|\n]*?/(?:health|healthz|healthcheck|ready|readyz|livez|status|ping)\b|\bpost[-_ ]?deploy(?:ment)?[-_ ]?(?:test|check|verif)"
    ),
    "deploy": (
        r"\bterraform\b[^\n|;]*?\bapply\b|\btofu\b[^\n|;]*?\bapply\b|\bterragrunt\b[^\n|;]*?\bapply\b|\bkubectl (?:apply|rollout|set image)\b"
        # Atmos: `atmos terraform deploy` is apply -auto-approve; drift remediation applies the drifted stack
        r"|\batmos terraform deploy\b|github-action-atmos-terraform-drift-remediation"
        r"|\bhelm(?:file)? (?:upgrade|install|apply|sync)\b|\bargocd app sync\b|\bflux reconcile\b"
        r"|\baws ecs update-service\b|amazon-ecs-deploy-task-definition|aws-actions/amazon-ecs-deploy|\baws deploy create-deployment\b"
        r"|\baws lambda update-function-code\b|\baws cloudformation (?:deploy|update-stack|create-stack)\b|aws-cloudformation-github-deploy"
        r"|\bsam deploy\b|\bcdk deploy\b|\bserverless deploy\b|\bsls deploy\b|azure/webapps-deploy|azure/functions-action|azure/k8s-deploy"
        r"|azure/arm-deploy|\baz (?:webapp|containerapp|functionapp|deployment)\b[^\n]*?\b(?:deploy|create|up|update|swap)\b"
        r"|\bgcloud (?:run|app|functions) deploy\b|\bgcloud deploy releases create\b|google-github-actions/deploy-"
        r"|\bpulumi up\b|pulumi/actions|\bkustomize build\b[^\n]*?\|\s*kubectl apply|\bskaffold (?:run|deploy)\b|\bwaypoint (?:up|deploy)\b"
        r"|\bfly(?:ctl)? deploy\b|\bvercel\b[^\n]*?--prod|\bnetlify deploy\b[^\n]*?--prod|\bheroku\b[^\n]*?\b(?:deploy|container:release)\b"
        r"|akhileshns/heroku-deploy|\bcf push\b|\bcapistrano\b|\bcap [\w-]+ deploy\b|\bkamal deploy\b"
        r"|\beb deploy\b|\bcopilot (?:svc|app|env) deploy\b|\bapp-?runner\b[^\n]*?start-deployment|\bwrangler (?:deploy|publish)\b"
        r"|cloudflare/wrangler-action|\bTerraformTask[\w@]*:apply|\bAzureWebApp@|\bAzureRmWebAppDeployment@|\bAzureFunctionApp@"
        r"|\bKubernetesManifest@[^\n]*?:deploy|\bHelmDeploy@|\bAzureResourceManagerTemplateDeployment@|\bAzureContainerApps@"
        r"|\bgcr\.io/cloud-builders/gke-deploy\b|\bgke-deploy run\b|\bcloud-builders/gcloud\b[^\n]*?\b(?:run|app|functions) deploy\b"
        r"|atlassian/(?:aws-ecs-deploy|aws-elasticbeanstalk-deploy|aws-lambda-deploy|aws-code-deploy|azure-web-apps-deploy|kubectl-run|helm-pipe|google-cloud-run-deploy)"
        r"|appleboy/(?:ssh|scp)-action|easingthemes/ssh-deploy|\brsync\b[^\n]*?\S@\S|\bdocker stack deploy\b|\bgit push (?:heroku|dokku)\b"
        r"|\bkrane deploy\b|\bkubernetes-deploy\b"  # Shopify's krane (formerly kubernetes-deploy)
        r"|\brailway up\b|api\.render\.com/deploy|\bfirebase deploy\b|FirebaseExtended/action-hosting-deploy|amondnet/vercel-action"
        r"|azure/[\w-]*deploy|\baws cloudfront create-invalidation\b|\bcap (?:production|prod) deploy\b"
        r"|\b(?:aws-ecs|aws-eks|kubernetes|helm|aws-code-deploy|heroku|gcp-cloud-run|aws-ecr)/(?:deploy|deploy-service-update|install-helm-chart|upgrade-helm-release|rollout|update-container-image)\b"
        # configuration management runs that change hosts (not check/noop/syntax-only runs)
        r"|\bansible-playbook(?![\w-])(?![^\n]*?(?:--check\b|\s-C\b|--syntax-check|--list-(?:tasks|hosts|tags)))"
        r"|\b(?:awx|tower-cli)\b[^\n]*?\blaunch\b|ansible/awx-|\bpuppet (?:apply|agent)\b(?![^\n]*?--noop)"
        r"|\bsalt(?:-call|-ssh)?\b[^\n]*?\bstate\.(?:apply|highstate|sls)\b(?![^\n]*?test=true)|\bchef-client\b(?![^\n]*?(?:--why-run|\s-W\b))"
        # the team's own deploy script or make target (`./scripts/deploy-rules.sh`, `bin/deploy prod`, `make deploy`)
        r"|(?:^|[\s/])(?:scripts?|bin|ci|tools|deploy)/[\w./-]*?\bdeploy(?:[_-][\w-]*)?(?:\.sh|\.py|\.rb)?(?=\s|$|;|&)"
        r"|(?:^|[\s;&])\.?/?deploy\.sh\b|\bmake\s+(?:[\w=-]+\s+)*deploy(?:[_-][\w-]*)?(?=\s|$|;|&)"
        # a deploy handed to another repository's pipeline (PostHog -> PostHog/charts)
        r"|(?:repository-dispatch|workflow-dispatch|trigger-workflow|dispatch-action|\bgh workflow run\b)[^\n]*(?:\n[^\n]*){0,2}?"
        r"\b(?:deploy(?:ment)?s?|rollout)\b"
    ),
    "plan": r"\bterraform\b[^\n|;]*?\bplan\b|\btofu\b[^\n|;]*?\bplan\b|\bterragrunt\b[^\n|;]*?\bplan\b|\bpulumi preview\b|\bcdk diff\b|TerraformTask[\w@]*:plan|\bhelm diff\b"
             # ARM/Bicep what-if and CloudFormation change sets preview a deployment against the live estate
             r"|\baz deployment (?:group |sub |mg |tenant )?what-if\b|-WhatIf\b|\baws cloudformation create-change-set\b"
             # diffs of the desired state against the live cluster
             r"|\bflux diff (?:kustomization|ks|helmrelease|hr)\b|\bkubectl diff\b|\bargocd app diff\b"
             # configuration management dry runs against the live hosts
             r"|\bansible-playbook\b[^\n]*?(?:--check\b|\s-C\b)|\bpuppet (?:apply|agent)\b[^\n]*?--noop"
             r"|\bsalt(?:-call|-ssh)?\b[^\n]*?\bstate\.(?:apply|highstate|sls)\b[^\n]*?test=true|\bchef-client\b[^\n]*?(?:--why-run|\s-W\b)",
    "apply": r"\bterraform\b[^\n|;]*?\bapply\b|\btofu\b[^\n|;]*?\bapply\b|\bterragrunt\b[^\n|;]*?\bapply\b|TerraformTask[\w@]*:apply"
             r"|\batmos terraform deploy\b|github-action-atmos-terraform-drift-remediation",
    "policy": (
        r"\bconftest\b|\bopa (?:eval|test)\b|\bsentinel\b|\bcheckov\b|\btfsec\b|\btrivy config\b|\bterrascan\b|\bkics\b"
        r"|\bwafpass check\b|\bkyverno (?:apply|test)\b|\bgator\b|\bpolaris audit\b|\bregula\b|\bcfn-guard\b|\bcloudformation-guard\b"
    ),
    "drift": r"\bdriftctl\b|\bplan\b[^\n]*?-detailed-exitcode|-refresh-only|\bdrift[-_ ]?detect|\bsnyk iac describe\b"
             # CloudFormation's own drift detection
             r"|\bdetect-stack(?:-set)?-drift\b|\bdescribe-stack-resource-drifts\b",
    "notify": (
        r"slackapi/slack-github-action|rtCamp/action-slack-notify|8398a7/action-slack|act10ns/slack|slack-notify|\bslack\b[^\n]*?webhook"
        r"|\bSLACK_WEBHOOK|hooks\.slack\.com|\bteams\b[^\n]*?webhook|\bTEAMS_WEBHOOK|webhook\.office\.com|aliencube/microsoft-teams"
        r"|jdcargile/ms-teams-notification|skitionek/notify-microsoft-teams|\bgh issue create\b|JasonEtco/create-an-issue"
        r"|actions/github-script[^\n]*?issues\.create|dacbd/create-issue-action|\bcurl\b[^\n]*?(?:webhook|WEBHOOK)\b|\baws sns publish\b"
        r"|\bpagerduty\b|\bopsgenie\b|atlassian/slack-notify|circleci/slack|\bslack/notify\b|\bdiscord\b[^\n]*?webhook|\bsendmail\b|\bmail -s\b"
    ),
    "metrics": (
        r"\bdatadog-ci\b[^\n]*?\bdora\b|datadog/dora|\bsleuth\b|sleuth-io/|\bdevlake\b|four-?keys|fourkeys|\blinearb\b|\bswarmia\b"
        r"|\bmiddleware-?(?:hq|dora)\b|\bdora[-_ ]?metrics?\b|\bdeployment[-_ ]?frequency\b|\bjellyfish\b|\bfaros\b"
    ),
    "rollback": (
        r"\bhelm\b[^\n]*?--atomic|\bhelm rollback\b|\bkubectl rollout undo\b|\bkubectl argo rollouts (?:abort|undo)\b|\brollback\b"
        r"|\baws deploy stop-deployment\b[^\n]*?auto-rollback|\bslot swap\b|\baz webapp deployment slot swap\b[^\n]*?--action reset"
    ),
    "build": (
        r"\bdocker (?:build|buildx)\b|docker/build-push-action|\bbuildah\b|\bkaniko\b|\bko build\b|\bjib\b|\bpack build\b"
        r"|\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?build\b|\bgo build\b|\bcargo build\b|\bmvnw?\b[^\n]*?\bpackage\b|\bgradlew?\b[^\n]*?\b(?:assemble|build)\b"
        r"|\bdotnet (?:build|publish)\b|\bpython -m build\b|\bmake(?:\s+build|\s+all)?\s*$|\bbazel(?:isk)? build\b|\bpackages?r build\b"
        r"|\bgoreleaser\b|\bsam build\b|\bcdk synth\b|\bhelm package\b"
    ),
    "release": (
        r"\bnpm publish\b|\bpnpm publish\b|\byarn (?:npm )?publish\b|\btwine upload\b|pypa/gh-action-pypi-publish|\bpoetry publish\b"
        r"|\bflit publish\b|\buv publish\b|\bcargo publish\b|\bgem push\b|\bmvnw?\b[^\n]*?\bdeploy\b|\bgradlew?\b[^\n]*?\bpublish\b"
        r"|\bgoreleaser release\b|goreleaser/goreleaser-action|softprops/action-gh-release|\bgh release create\b|changesets/action"
        r"|\bsemantic-release\b|\brelease-please\b|\bdocker push\b|\bnuget push\b|\bhelm push\b|\bchart-releaser\b"
    ),
}

STEP_RX: dict[str, re.Pattern[str]] = {k: re.compile(v, re.I | re.M) for k, v in STEP_PATTERNS.items()}
# words one of which every match of each class's pattern holds (see pattern_words): a step text holding none of
# them is not searched with that pattern, which would otherwise be tried in full at every offset
STEP_WORDS: dict[str, tuple[str, ...] | None] = {k: required_words(rx) for k, rx in STEP_RX.items()}

# `--atomic` counts as a rollback only as a flag of helm, and the generic word "rollback" only in
# commands, never in an `echo`.
_ECHO_LINE = re.compile(r"^\s*(?:echo|printf|#|//|Write-Host)\b.*$", re.M)
_DETAILED = re.compile(r"-detailed-exitcode", re.I)
_REFRESH_ONLY = re.compile(r"-refresh-only", re.I)


def classify(text: str | None) -> dict[str, str]:
    """Step classes a command or action reference falls into, each with the keyword that matched."""
    if not text:
        return {}
    body = _ECHO_LINE.sub("", text)
    folded = body.casefold()
    out: dict[str, str] = {}
    for cls, rx in STEP_RX.items():
        m = rx.search(body) if may_match(STEP_WORDS[cls], folded) else None
        if m:
            out[cls] = _keyword(m.group(0))
    return out


def plan_flags(text: str | None) -> list[str]:
    if not text:
        return []
    flags = []
    if _DETAILED.search(text):
        flags.append("detailed-exitcode")
    if _REFRESH_ONLY.search(text):
        flags.append("refresh-only")
    return flags


def _keyword(s: str) -> str:
    """Shorten a match to a keyword: no arguments, no secrets, at most 60 chars."""
    words = s.split()
    if len(words) > 3:
        words = [words[0], "…", words[-1]]
    s = " ".join(words)
    if len(s) > 60:
        s = s[:60]
    return s


# ---- step classes from a shared job's name ----------------------------------------------------

# Jobs from shared libraries (a reusable workflow in another repository, a Zuul library job) show only
# their name here; conventional names say what they run: `gradle_verify.yml`, `test_helm_lint.yml`,
# `deploy_env.yml`, `security_trivy.yml`, `tox-py311`, `fi-ansible-lint-diff`.
_NAME_CLASSES = (
    ("lint", re.compile(r"(?i)lint|pep8|flake8|linters|ansible-test-sanity|(?:^|[-_])sanity|mypy|syntax|format[-_]?check")),
    ("test", re.compile(r"(?i)tox-py|(?:^|[-_])py3\d*(?:$|[-_.])|unit|functional|integration|tempest|molecule|e2e"
                        r"|ansible-test-(?:units|integration)|python3?-jobs|verify|(?:^|[-_])(?:tests?|check)(?:$|[-_.])")),
    ("security", re.compile(r"(?i)bandit|secret-?scan|trivy|owasp|veracode|codeql|snyk|(?:^|[-_])sast(?:$|[-_.])"
                            r"|dependency[-_]?(?:check|review|scan)|security|(?:^|[-_])audit(?:$|[-_.])")),
    ("release", re.compile(r"(?i)release|upload-(?:pypi|image|container|tarball)|publish|(?:^|[-_])pypi(?:$|[-_.])")),
    ("deploy", re.compile(r"(?i)(?:^|[-_])deploy(?:$|[-_.])")),
)
_STRONG_TEST = re.compile(r"(?i)unit|functional|integration|e2e|tox-py|verify|molecule|tempest")


def classes_from_name(name: str, label: str) -> dict[str, str]:
    """Step classes a shared job's conventional name implies, each with `<label> <name>` as keyword.
    A lint job named `test_helm_lint` is lint, not a test suite."""
    out = {cls: f"{label} {name}"[:60] for cls, rx in _NAME_CLASSES if rx.search(name)}
    if "lint" in out and "test" in out and not _STRONG_TEST.search(name):
        del out["test"]
    if "security" in out:
        out.pop("test", None)  # `security_check`
    return out


# ---- drift notification ------------------------------------------------------------------------

_EXIT2_COND = re.compile(
    r"exit_?code\W{0,12}(?:==|-eq|=)\s*['\"]?2\b|(?:\$\?|\$\{?\w*(?:rc|code|status|exit)\w*\}?)['\"]?\s*(?:-eq|==|=)\s*['\"]?2\b"
    r"|exitcode\s*!=\s*['\"]?0|case\s+\$\??\w*\s+in[^\n]*?\n?\s*2\)|\b2\)\s",
    re.I,
)
_FAILURE_COND = re.compile(r"failure\(\)|\bon_failure\b|when:\s*on_failure", re.I)


def mentions_exit_code_2(text: str | None) -> bool:
    return bool(text) and _EXIT2_COND.search(text or "") is not None


def is_failure_condition(text: str | None) -> bool:
    return bool(text) and _FAILURE_COND.search(text or "") is not None


# ---- cron ------------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
_MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}


def _field(spec: str, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int] | None:
    """Values of one cron field; Jenkins `H` (a hashed fixed value) is taken as the field's minimum."""
    out: set[int] = set()
    for part in spec.lower().split(","):
        step = 0
        if "/" in part:
            part, s = part.split("/", 1)
            step = int(s)
            if step <= 0:
                return None
        if part in ("*", "?"):
            start, end = lo, hi
            step = step or 1
        elif part == "h" or part.startswith("h("):
            start, end = lo, hi if step else lo
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _num(a, names), _num(b, names)
        else:
            start = _num(part, names)
            end = hi if step else start
        top = hi + 1 if names is _DAYS else hi
        if start < lo or end > top or start > end:
            return None
        out.update(range(start, end + 1, step or 1))
    if names is _DAYS and 7 in out:
        out.discard(7)
        out.add(0)
    return out


def _num(s: str, names: dict[str, int] | None) -> int:
    s = s.strip()
    if names and s[:3] in names and not s.isdigit():
        return names[s[:3]]
    return int(s)


def _window() -> list[tuple[int, int, int, int]]:
    """(offset, month, day of month, day of week with Sunday 0) of the 800 days from 2025-01-01 that every
    schedule is laid over: computed once, not again for each cron expression (the date arithmetic of the
    window was most of the time of reading a schedule)."""
    start = date(2025, 1, 1)
    out = []
    for i in range(800):
        d = start + timedelta(days=i)
        out.append((i, d.month, d.day, d.isoweekday() % 7))
    return out


_WINDOW = _window()


def _firing_days(months: set[int], doms: set[int], dows: set[int], dom_any: bool, dow_any: bool) -> list[int]:
    """Offsets of the window's days the schedule fires on. As cron has it, when both the day of month and
    the day of week are restricted, a day matching either fires."""
    if dom_any and dow_any:
        return [i for i, month, _, _ in _WINDOW if month in months]
    if dom_any:
        return [i for i, month, _, dow in _WINDOW if month in months and dow in dows]
    if dow_any:
        return [i for i, month, day, _ in _WINDOW if month in months and day in doms]
    return [i for i, month, day, dow in _WINDOW if month in months and (day in doms or dow in dows)]


def cron_interval_hours(expr: str | None) -> float | None:
    """Smallest gap between two firings of a 5-field cron expression, in hours (None if unparseable)."""
    if not expr:
        return None
    expr = _MACROS.get(expr.strip().lower(), expr.strip())
    fields = expr.split()
    if len(fields) == 6:  # seconds or year field: drop the seconds (Quartz-style) only if it looks like one
        fields = fields[1:] if fields[0].isdigit() or fields[0] == "0" else fields[:5]
    if len(fields) != 5:
        return None
    try:
        minutes = _field(fields[0], 0, 59)
        hours = _field(fields[1], 0, 23)
        doms = _field(fields[2], 1, 31)
        months = _field(fields[3], 1, 12, _MONTHS)
        dows = _field(fields[4], 0, 6, _DAYS)
    except (ValueError, IndexError):
        return None
    if not (minutes and hours and doms and months and dows):
        return None
    times = sorted(h * 60 + m for h in hours for m in minutes)
    days = _firing_days(months, doms, dows, fields[2] in ("*", "?"), fields[4] in ("*", "?"))
    if not days:
        return None
    best = min((b - a for a, b in zip(times, times[1:], strict=False)), default=None)
    if len(days) > 1:  # from the last firing of a day to the first of the next firing day
        gap = min(map(operator.sub, days[1:], days)) * 1440 + times[0] - times[-1]
        best = gap if best is None else min(best, gap)
    if best is None:  # fires once in the whole window
        best = 366 * 1440
    return round(best / 60, 3)
