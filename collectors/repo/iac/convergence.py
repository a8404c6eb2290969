"""Configuration management that converges on a schedule.

A Chef/Cinc client, Puppet agent, Salt minion schedule or ansible-pull that runs every N minutes on every host
re-applies the declared configuration and reverts what drifted: continuous reconciliation, like a GitOps
reconciler with self-heal. Emitted as `drift.tool` with `converges: true`, the tool `family` and the run
interval; probes count it only where the repository holds that family's code. Read from Chef recipes and
roles, Puppet manifests and settings, Salt minion schedules, ansible-pull crons, and systemd timers and
crontabs shipped as files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wafops.collectors.repo.ci_steps import cron_interval_hours
from wafops.collectors.repo.iac.state import IacRun, dirname, is_true, role_of
from wafops.collectors.repo.iac.templated import tolerant_yaml
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.model import Strength

# Configuration-management runs that converge a host (the command of a timer, cron or service)
CONVERGE_CMD_RX = re.compile(r"\b(?:chef|cinc)-client\b|\bpuppet[ \t]+(?:agent|apply)\b"
                             r"|\bsalt-call\b[^\n]*?\bstate\.(?:apply|highstate)\b|\bansible-pull\b")
DRY_RUN_RX = re.compile(r"--noop\b|--why-run\b|[ \t]-W\b|--check\b|test=true", re.I)
# Chef resources that schedule the client: a systemd timer/cron named for it, or the chef_client_* resources
CHEF_SCHEDULE_RX = re.compile(r"(?m)^[ \t]*(systemd_timer|cron_d|cron|chef_client_systemd_timer|chef_client_cron"
                              r"|chef_client_scheduled_task|chef_client_launchd)[ \t(]+['\"]([^'\"]*)['\"][ \t)]*do\b")
# the community chef-client cookbook runs the client as a service/timer/cron (every 30 min by default)
CHEF_CLIENT_RECIPE_RX = re.compile(r"(?:include_recipe[ \t(]+['\"]|recipe\[)chef-client"
                                   r"(?:::(?:default|service|systemd_service|cron|task|launchd|init_service))?['\"\]]")
CHEF_INTERVAL_RX = re.compile(r"chef_client.{0,80}?interval['\"\]]*\s*(?:=>|=|:)\s*['\"]?(\d+)", re.S)
PUPPET_SERVICE_RX = re.compile(r"service[ \t]*\{[ \t]*['\"](?:puppet|puppet-agent|pe-puppet)['\"][ \t]*:[^}]*?ensure[ \t]*=>[ \t]*['\"]?running")
# the puppet module's agent run mode (`class { 'puppet': runmode => 'service' }`, Hiera `puppet::runmode: systemd.timer`)
PUPPET_RUNMODE_RX = re.compile(r"class[ \t]*\{[ \t]*['\"](?:::)?puppet(?:::agent)?['\"][ \t]*:[^}]*?runmode[ \t]*=>[ \t]*"
                               r"['\"](?:service|cron|systemd\.timer)['\"]")
PUPPET_RUNMODE_YAML_RX = re.compile(r"(?m)^[ \t]*puppet::(?:agent::)?runmode[ \t]*:[ \t]*['\"]?(service|cron|systemd\.timer)\b")
PUPPET_RUNINTERVAL_RX = re.compile(r"(?m)^[ \t]*(?:puppet::(?:agent::)?)?runinterval['\"]?[ \t]*(?:=>|=|:)[ \t]*['\"]?(\d+[smhd]?)")


@dataclass
class _Emitter:
    """Emits each converging run once (per file, line and agent), never from example code."""

    run: IacRun
    seen: set[tuple[str, int, str]] = field(default_factory=set)

    def __call__(self, path: str, line: int, family: str, agent: str, hours: float | None, via: str,
                 remediates: bool = True, strength: Strength = Strength.DIRECT) -> None:
        if (path, line, agent) in self.seen or role_of(dirname(path)) == "example":
            return
        self.seen.add((path, line, agent))
        every = _fmt_hours(hours)
        self.run.ev("drift.tool", path, line, {
            "tool": agent, "family": family, "converges": True, "automated_remediation": remediates,
            "interval_hours": hours, "schedule": every, "via": via,
        }, f"{agent} converges the hosts {every} ({via})" + ("" if remediates else ", report only (dry run)"), strength)


def convergence(run: IacRun) -> None:
    emit = _Emitter(run)
    _chef(run.tree, emit)
    _puppet(run.tree, emit)
    _settings(run.tree, emit)
    _timers(run.tree, emit)
    _crontabs(run.tree, emit)


def _chef(tree: RepoTree, emit: _Emitter) -> None:
    """Chef/Cinc: timers and crons declared in recipes, the chef_client_* resources, the chef-client cookbook."""
    for path, text in tree.iter_text(tree.with_suffix(".rb")):
        if "client" not in text and "cron" not in text:
            continue
        for m in CHEF_SCHEDULE_RX.finditer(text):
            kind, name = m.group(1), m.group(2)
            body = _ruby_block(text, m.end())
            if kind in ("systemd_timer", "cron", "cron_d") and not CONVERGE_CMD_RX.search(
                    name if kind == "systemd_timer" else body):
                continue
            emit(path, text.count("\n", 0, m.start()) + 1, "chef", "chef-client", _chef_hours(kind, body),
                 kind.replace("_", " "), not re.search(r"--why-run|\s-W\b", body))
        _chef_client_recipe(path, text, emit)
    for path, text in tree.iter_text(tree.glob("*roles/*.json")):
        _chef_client_recipe(path, text, emit)


def _chef_hours(kind: str, body: str) -> float | None:
    """Run interval of a Chef resource that schedules the client (see CHEF_SCHEDULE_RX)."""
    if kind == "systemd_timer":
        return _systemd_interval(body, ruby=True)
    if kind in ("cron", "cron_d"):
        return cron_interval_hours(f"{_ruby_prop(body, 'minute') or '*'} {_ruby_prop(body, 'hour') or '*'} * * *")
    if kind == "chef_client_cron":
        return cron_interval_hours(f"{_ruby_prop(body, 'minute') or '0,30'} {_ruby_prop(body, 'hour') or '*'} * * *")
    if kind == "chef_client_systemd_timer":
        return _span_hours(_ruby_prop(body, "interval") or "1800sec")
    if kind == "chef_client_launchd":
        return (_num_expr(_ruby_prop(body, "interval") or "30") or 30) / 60
    # chef_client_scheduled_task
    freq = (_ruby_prop(body, "frequency") or "minute").lower()
    mod = _num_expr(_ruby_prop(body, "frequency_modifier") or "30") or 30
    return mod / 60 if "minute" in freq else mod if "hour" in freq else 24.0 if "dai" in freq else None


def _chef_client_recipe(path: str, text: str, emit: _Emitter) -> None:
    """The community chef-client cookbook in a recipe or a role's run list (every 30 min unless set)."""
    m = CHEF_CLIENT_RECIPE_RX.search(text)
    if m:
        interval = CHEF_INTERVAL_RX.search(text)
        emit(path, text.count("\n", 0, m.start()) + 1, "chef", "chef-client",
             _span_hours(interval.group(1)) if interval else 0.5, "chef-client cookbook", strength=Strength.STRONG)


def _puppet(tree: RepoTree, emit: _Emitter) -> None:
    """Puppet: the agent service (default runinterval 30 min) and cron runs declared in manifests."""
    for path, text in tree.iter_text(tree.with_suffix(".pp")):
        if "puppet" not in text:
            continue
        m = PUPPET_SERVICE_RX.search(text) or PUPPET_RUNMODE_RX.search(text)
        if m:
            ri = PUPPET_RUNINTERVAL_RX.search(text)
            emit(path, text.count("\n", 0, m.start()) + 1, "puppet", "puppet-agent",
                 _span_hours(ri.group(1)) if ri else 0.5, "agent service", strength=Strength.STRONG)
        for m in re.finditer(r"(?m)^[ \t]*cron[ \t]*\{[ \t]*['\"][^'\"]*['\"][ \t]*:", text):
            end = text.find("}", m.end())
            body = text[m.end(): end if end > 0 else len(text)]
            if not CONVERGE_CMD_RX.search(body):
                continue
            minute = re.search(r"minute\s*=>\s*(\[[^\]]*\]|['\"]?[^'\",\n]+)", body)
            hour = re.search(r"hour\s*=>\s*(\[[^\]]*\]|['\"]?[^'\",\n]+)", body)
            expr = f"{_cron_field(minute.group(1) if minute else '*')} {_cron_field(hour.group(1) if hour else '*')} * * *"
            emit(path, text.count("\n", 0, m.start()) + 1, "puppet", "puppet-agent", cron_interval_hours(expr), "cron",
                 "--noop" not in body)


def _settings(tree: RepoTree, emit: _Emitter) -> None:
    """Puppet settings in Hiera/puppet.conf; Salt minion schedules running highstate; ansible-pull from cron."""
    for path, text in tree.iter_text(tree.with_suffix(".yaml", ".yml", ".conf", ".sls")):
        if ("runinterval" in text or "runmode" in text) and "puppet" in (path.lower() + text[:2000].lower()):
            m = PUPPET_RUNINTERVAL_RX.search(text) or PUPPET_RUNMODE_YAML_RX.search(text)
            if m:
                every = _span_hours(m.group(1)) if m.re is PUPPET_RUNINTERVAL_RX else 0.5
                emit(path, text.count("\n", 0, m.start()) + 1, "puppet", "puppet-agent", every,
                     "runinterval setting" if m.re is PUPPET_RUNINTERVAL_RX else "agent run mode", strength=Strength.STRONG)
        if "schedule" in text and re.search(r"state\.(?:apply|highstate)", text):
            for name, job in _salt_schedules(tolerant_yaml(text)):
                kw = job.get("kwarg") if isinstance(job.get("kwarg"), dict) else {}
                emit(path, tree.line_of(path, str(name)) or 1, "salt", "salt-minion", _salt_hours(job),
                     "minion schedule", not is_true(kw.get("test")))
        if "ansible-pull" in text:
            _ansible_pull(path, text, emit)


def _ansible_pull(path: str, text: str, emit: _Emitter) -> None:
    """ansible-pull run from a cron entry declared beside it (`minute:`/`hour:` of a cron task)."""
    m = re.search(r"ansible-pull", text)
    assert m is not None
    block = text[max(0, m.start() - 400): m.end() + 400]
    minute = re.search(r"(?m)^\s*minute:\s*['\"]?([^'\"\n]+)", block)
    hour = re.search(r"(?m)^\s*hour:\s*['\"]?([^'\"\n]+)", block)
    if minute or hour:
        expr = f"{minute.group(1).strip() if minute else '0'} {hour.group(1).strip() if hour else '*'} * * *"
        emit(path, text.count("\n", 0, m.start()) + 1, "ansible", "ansible-pull", cron_interval_hours(expr),
             "cron", not re.search(r"--check\b|\s-C\b", block))


def _timers(tree: RepoTree, emit: _Emitter) -> None:
    """systemd timer units (and templates) whose service converges the host."""
    for path in tree.glob("*.timer", "*.timer.erb", "*.timer.j2"):
        text = tree.text(path) or ""
        base = re.sub(r"\.timer(\.erb|\.j2)?$", "", path)
        service = next((tree.text(p) or "" for p in (base + ".service", base + ".service.erb", base + ".service.j2")
                        if tree.exists(p)), "")
        cmd = CONVERGE_CMD_RX.search(service) or CONVERGE_CMD_RX.search(text)
        if cmd:
            agent, family = _agent_of(cmd.group(0))
            emit(path, 1, family, agent, _systemd_interval(text, ruby=False), "systemd timer",
                 not DRY_RUN_RX.search(service))


def _crontabs(tree: RepoTree, emit: _Emitter) -> None:
    """crontabs and cron.d files shipped as files or templates."""
    for path in tree.files:
        low = path.lower()
        base = low.rsplit("/", 1)[-1]
        if not ("/cron.d/" in f"/{low}" or base in ("crontab", "root.crontab") or base.endswith((".cron", ".cron.erb", ".crontab"))):
            continue
        text = tree.text(path) or ""
        for m in re.finditer(r"(?m)^[ \t]*([^#\s]\S*(?:[ \t]+\S+){4})[ \t]+([^\n]*)$", text):
            cmd = CONVERGE_CMD_RX.search(m.group(2))
            if cmd:
                agent, family = _agent_of(cmd.group(0))
                emit(path, text.count("\n", 0, m.start()) + 1, family, agent, cron_interval_hours(m.group(1)), "cron",
                     not DRY_RUN_RX.search(m.group(2)))


def _agent_of(cmd: str) -> tuple[str, str]:
    """(agent, family) of a converging command."""
    low = cmd.lower()
    if "client" in low:
        return "chef-client", "chef"
    if "puppet" in low:
        return "puppet-agent", "puppet"
    if "salt" in low:
        return "salt-minion", "salt"
    return "ansible-pull", "ansible"


def _fmt_hours(hours: float | None) -> str:
    if hours is None:
        return "on a schedule of unknown interval"
    if hours < 1:
        return f"every {round(hours * 60)} min"
    return f"every {round(hours, 1):g} h"


def _ruby_block(text: str, start: int) -> str:
    """The body of a Ruby `... do` block: up to the first line that is only `end`."""
    m = re.compile(r"(?m)^[ \t]*end\b").search(text, start)
    return text[start: m.start() if m else min(len(text), start + 2000)]


def _ruby_prop(body: str, name: str) -> str | None:
    m = re.search(r"(?m)^[ \t]*" + re.escape(name) + r"[ \t(]+(.+?)[ \t)]*$", body)
    return m.group(1).strip().strip("'\":") if m else None


def _num_expr(expr: str) -> float | None:
    """`25 * 60`, `1800`, `'900'` -> a number (products of numbers only)."""
    parts = [p.strip().strip("'\"") for p in expr.split("*")]
    try:
        value = 1.0
        for p in parts:
            value *= float(p)
        return value
    except ValueError:
        return None


_SPAN_UNITS = {"s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60,
               "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400}


def _span_hours(span: str | None) -> float | None:
    """A seconds expression or a systemd/puppet time span (`1800`, `25 * 60`, `30min`, `1h 30m`, `30m`) in hours."""
    if not span:
        return None
    span = span.strip().strip("'\"")
    n = _num_expr(span)
    if n is not None:
        return round(n / 3600, 3)
    total = 0.0
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]+)", span.lower()):
        if unit not in _SPAN_UNITS:
            return None
        total += float(num) * _SPAN_UNITS[unit]
    return round(total / 3600, 3) if total else None


def _calendar_hours(cal: str) -> float | None:
    """Interval of a systemd OnCalendar expression (the common shapes only)."""
    cal = cal.strip().strip("'\"").lower()
    named = {"minutely": 1 / 60, "hourly": 1.0, "daily": 24.0, "weekly": 168.0, "monthly": 720.0}
    if cal in named:
        return named[cal]
    m = re.search(r"\*:(\d+)/(\d+)", cal)
    if m:
        return round(int(m.group(2)) / 60, 3)
    if re.search(r"(?:^|\s)\*:\d+", cal):
        return 1.0
    if re.search(r"(?:^|\s)\*-\*-\*\s+\d+:\d+", cal):
        return 24.0
    return None


def _systemd_interval(body: str, ruby: bool) -> float | None:
    """Repeat interval of a timer (OnUnitInactiveSec/OnUnitActiveSec/OnCalendar); boot-only timers have none."""
    keys = (("on_unit_inactive_sec", "on_unit_active_sec"), "on_calendar") if ruby else \
        (("OnUnitInactiveSec", "OnUnitActiveSec"), "OnCalendar")
    for key in keys[0]:
        m = re.search(r"(?m)^[ \t]*" + key + (r"[ \t(]+(.+?)[ \t)]*$" if ruby else r"[ \t]*=[ \t]*(.+?)[ \t]*$"), body)
        if m:
            return _span_hours(m.group(1))
    m = re.search(r"(?m)^[ \t]*" + keys[1] + (r"[ \t(]+(.+?)[ \t)]*$" if ruby else r"[ \t]*=[ \t]*(.+?)[ \t]*$"), body)
    return _calendar_hours(m.group(1)) if m else None


def _cron_field(value: str) -> str:
    """A Puppet cron attribute (`'*/30'`, `[0, 30]`, `fqdn_rand(30)`) as a cron field."""
    value = value.strip()
    if value.startswith("["):
        items = [v.strip().strip("'\"") for v in value.strip("[]").split(",") if v.strip()]
        return ",".join(items) or "*"
    value = value.strip("'\"")
    if re.match(r"^[\d*/,-]+$", value):
        return value
    return "0"  # a computed minute (fqdn_rand) still fires once an hour


def _salt_schedules(data: Any, depth: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """(name, job) of Salt `schedule:` entries that run highstate/state.apply, anywhere in a document."""
    out: list[tuple[str, dict[str, Any]]] = []
    if depth > 6 or not isinstance(data, dict):
        return out
    for key, value in data.items():
        if key == "schedule" and isinstance(value, dict):
            out += [(str(n), j) for n, j in value.items() if isinstance(j, dict)
                    and str(j.get("function", "")) in ("state.apply", "state.highstate")]
        elif isinstance(value, dict):
            out += _salt_schedules(value, depth + 1)
    return out


def _salt_hours(job: dict[str, Any]) -> float | None:
    if job.get("cron"):
        return cron_interval_hours(str(job["cron"]))
    secs = 0.0
    for key, mult in (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400)):
        n = _num_expr(str(job.get(key))) if job.get(key) is not None else None
        secs += (n or 0) * mult
    return round(secs / 3600, 3) if secs else None
