"""The `wafops` command line."""

from __future__ import annotations

import gc
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import yaml
from rich.console import Console
from rich.markup import escape
from wafops.scanner import __version__

FORMATS = ["table", "json", "markdown", "sarif", "html", "gitlab-codequality"]


def _load_config(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise click.UsageError(f"cannot read config {path}: {err}") from err
    from wafops.scanner.core.options import ConfigError, check_config_keys

    try:
        check_config_keys(data, path)
    except ConfigError as err:
        raise click.UsageError(str(err)) from err
    try:
        import jsonschema

        jsonschema.validate(data, CONFIG_SCHEMA)
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "top level"
        raise click.UsageError(f"config {path}: {where}: {err.message}") from err
    return data


# wafops.yml: collector options, thresholds per probe or criterion id, and an evaluation date
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "options": {"type": "object"},
        "thresholds": {"type": "object", "additionalProperties": {"type": "object"}},
        "as_of": {"description": "YYYY-MM-DD (YAML may read it as a date)"},
        "waivers": {"type": "array", "description": "accepted gaps: criterion or control, subjects, reason, owner, expires"},
        "attestations": {"type": "array", "description": "a person's evidence for what no scanner sees: criterion, "
                                                          "subjects, evidence URL, owner, date"},
        "workloads": {"type": "array", "description": "name, repositories, aws_accounts, azure_subscriptions: "
                                                       "assessed together as one subject"},
    },
}


def _check_settings(options: dict[str, Any], thresholds: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Collector options and thresholds with their declared types; exit 2 naming the nearest valid key."""
    from wafops.rules.thresholds import check_thresholds
    from wafops.scanner.core.options import ConfigError, check_options
    from wafops.scanner.plugins import discover

    try:
        return check_options(options, discover), check_thresholds(thresholds)
    except ConfigError as err:
        raise click.UsageError(str(err)) from err


def _load_decisions(config: dict[str, Any]) -> list[Any]:
    """Waivers and attestations, checked against the catalog: a mistake is a usage error (exit 2)."""
    from wafops.rules.catalog import load_catalog
    from wafops.scanner.assess.decisions import DecisionError, load

    catalog = load_catalog()
    known = {c.id for c in catalog} | {cr.id for c in catalog for cr in c.criteria}
    try:
        return load(config, known)
    except DecisionError as err:
        raise click.UsageError(f"config: {err}") from err


def _workloads(config: dict[str, Any]) -> list[Any]:
    """`workloads:` of wafops.yml, checked (exit 2 naming the mistake)."""
    from wafops.scanner.assess.workloads import WorkloadError, parse

    try:
        return parse(config.get("workloads"))
    except WorkloadError as err:
        raise click.UsageError(f"config: {err}") from err


def _parse_as_of(value: Any) -> datetime | None:
    if not value or str(value).lower() == "head":  # "head": each subject as of its HEAD commit (ScanOptions)
        return None
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)") from err
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class _ProgressBar:
    """A rich progress bar on stderr for scans of several subjects (only on a terminal)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("[bold]scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"), console=console, transient=True,
        )
        self.task = None

    def start(self, total: int) -> None:
        if total > 1:
            self.progress.start()
            self.task = self.progress.add_task("scan", total=total, last="")

    def advance(self, subject_id: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, last=subject_id)

    def stop(self) -> None:
        if self.task is not None:
            self.progress.stop()


class _PlainProgress:
    """Progress without a terminal (CI logs): once a scan has run EVERY seconds, a line at most every
    EVERY seconds and one when all are done; a short scan prints nothing (stdout stays the report)."""

    EVERY = 30.0

    def __init__(self, console: Console) -> None:
        self.console, self.total, self.done, self.last, self.said = console, 0, 0, 0.0, False

    def start(self, total: int) -> None:
        import time

        self.total, self.last = total, time.monotonic()

    def advance(self, subject_id: str) -> None:
        import time

        self.done += 1
        now = time.monotonic()
        if self.total > 1 and (now - self.last >= self.EVERY or (self.said and self.done == self.total)):
            self.last, self.said = now, True
            self.console.print(escape(f"wafops: scanned {self.done}/{self.total} subject(s) (last: {subject_id})"),
                               highlight=False, soft_wrap=True)

    def stop(self) -> None:
        pass


def _progress_bar(console: Console) -> _ProgressBar | _PlainProgress:
    """Progress on stderr (a bar on a terminal, plain lines otherwise); waits are told there too."""
    from wafops.scanner.core import notices
    from wafops.scanner.core.redaction import mask

    notices.set_sink(lambda m: console.print(escape(mask(f"wafops: {m}")), style="yellow", highlight=False,
                                             soft_wrap=True))
    return _ProgressBar(console) if console.is_terminal else _PlainProgress(console)


class _MaskedGroup(click.Group):
    """Error messages leave the process masked like every report field (an API error may echo a token)."""

    def invoke(self, ctx: click.Context) -> Any:
        from wafops.scanner.core.redaction import mask

        try:
            return super().invoke(ctx)
        except click.ClickException as err:
            err.message = mask(err.message)
            raise
        except KeyboardInterrupt:  # outside the scan's own handling (e.g. while the report is written)
            click.echo("wafops: interrupted", err=True)
            raise click.exceptions.Exit(130) from None  # the README's code for an interrupted scan, not 1


class _Interrupts:
    """Remembers a Ctrl-C (SIGINT) during a scan, so that it always ends in the interrupted exit code.

    Why: Python raises KeyboardInterrupt wherever the main thread is when it handles the signal; raised
    inside a finalizer (a `__del__`, a generator the garbage collector closes) it is printed and dropped,
    and the scan went on to exit 0 as if Ctrl-C had not been pressed. This handler raises as Python's own
    does, and also notes that it did."""

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None

    def __enter__(self) -> _Interrupts:
        import signal

        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            return self  # started with Ctrl-C ignored (a background job, nohup): it stays ignored
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: Python's own handling stays
            self._previous = None
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


@click.group(cls=_MaskedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wafops")
def main() -> None:
    """Evidence-based maturity levels for the WAF++ Operational Excellence controls."""


def entry() -> None:
    """The `wafops` command: `main`, then a quick exit.

    Why: when a large scan is done, the interpreter's teardown frees its heap (the tree's texts, parses,
    evidence) object by object: about 0.25 s on a 20,000-file checkout, for nothing. So once the command
    has finished, the exit handlers run (the parse cache's size estimate, worker clean-up), the output
    streams are flushed and the process leaves with the same exit code, as mypy does. `main` itself, as
    tests call it, exits normally.

    The garbage collector runs less often (a young generation of 100,000 objects instead of 700): a scan
    builds hundreds of thousands of objects that live until it ends (texts, parses, evidence), and the
    default thresholds had the collector walk them ~450 times, 0.2 s on that checkout, freeing little.
    (What is cyclic garbage, python-hcl2's parse trees, is still collected with the young generation.)
    """
    gc.set_threshold(100_000, 50, 100)
    try:
        main()
    except SystemExit as done:
        code = done.code
    else:  # pragma: no cover - click's standalone mode always ends in SystemExit
        code = 0
    if isinstance(code, str):  # sys.exit("message"): Python prints it and exits 1
        print(code, file=sys.stderr)
        code = 1
    _leave(int(code or 0))


def _leave(code: int) -> None:
    import atexit
    import os

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # pragma: no cover - not CPython: the usual exit
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass
    os._exit(code)


def _sources_text(needs: tuple[str, ...]) -> str:
    """`repo, scm (github, gitlab)`: a role is shown with the sources that stand for it in this install."""
    from wafops.scanner.core.sources import REGISTRY, ROLES

    return ", ".join(f"{n} ({', '.join(REGISTRY.members(n))})" if n in ROLES and REGISTRY.members(n) != (n,) else n
                     for n in needs)


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--details", is_flag=True, help="Show every criterion, its reason and its evidence.")
@click.option("--pretty", is_flag=True, help="Indented JSON/SARIF (compact by default: a large org's result is smaller and faster).")
@click.option("--all-evidence", "all_evidence", is_flag=True,
              help="List every piece of evidence in the JSON result; by default evidence no criterion cites is "
                   "counted by kind (evidence_summary) instead.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="wafops.yml: thresholds and options.")
@click.option("--as-of", "as_of", help="Evaluate time windows as of this date (YYYY-MM-DD), or 'head' (each checkout's HEAD commit date), "
                   "instead of now.")
@click.option("--jobs", "-j", type=int, default=4, show_default=True, help="Subjects scanned in parallel.")
@click.option("--layout", type=click.Choice(["auto", "single", "collection"]), default="auto", show_default=True,
              help="For a PATH: one repository, or a folder whose subfolders are repositories.")
@click.option("--github-url", envvar="GITHUB_API_URL", help="GitHub API base URL (GitHub Enterprise Server).")
@click.option("--azure-url", envvar="AZURE_RESOURCE_MANAGER_URL",
              help="Azure Resource Manager endpoint (Azure China, US Government, Azure Stack); default the public cloud.")
@click.option("--gitlab-url", envvar="GITLAB_URL", help="GitLab instance URL (self-managed; default https://gitlab.com, or CI_SERVER_URL).")
@click.option("--include", multiple=True, help="Only repositories matching this glob (org scans).")
@click.option("--exclude", multiple=True, help="Skip repositories matching this glob (org scans).")
@click.option("--option", "extra", multiple=True, metavar="KEY=VALUE", help="Collector option, e.g. production_pattern=^prod$.")
@click.option("--profile", "aws_profile", help="AWS named profile for aws targets (default: the standard credential chain).")
@click.option("--region", "aws_regions", multiple=True, help="AWS region to scan (repeat it); default every enabled region.")
@click.option("--by", "by", type=click.Choice(["workload", "subject", "both"]), default="workload", show_default=True,
              help="With workloads in the config: report each workload (its members pooled), each subject, or both.")
@click.option("--fail-under", type=click.IntRange(1, 5), help="Exit 1 when an assessed control is below this level.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False), help="A previous JSON result to compare with.")
@click.option("--fail-on-regression", is_flag=True,
              help="With --baseline: exit 1 when a control's level went down, a level became not assessed, "
                   "or a subject disappeared.")
@click.option("--allow-missing", is_flag=True,
              help="With --fail-on-regression: a control no longer assessed or a subject gone is no regression.")
@click.option("--deadline", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="End the scan after this long: nothing starts or waits past it; what was collected is "
                   "reported, the rest not assessed (exit 3 when subjects were left out).")
@click.option("--strict", is_flag=True,
              help="Gates (--fail-under, --fail-on-regression) read the confirmed level (every criterion met) "
                   "instead of the estimated level.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Neither read nor write the parse cache (parsed Terraform/YAML, and the collectors' outcomes "
                   "replayed on an unchanged checkout, kept between scans in $XDG_CACHE_HOME/wafops/parse): "
                   "every file is read and every collector runs.")
@click.option("--parse-cache-dir", "parse_cache_dir", type=click.Path(file_okay=False),
              help="Folder of the parse cache (default $WAFOPS_PARSE_CACHE_DIR, else $XDG_CACHE_HOME/wafops/parse, "
                   "else ~/.cache/wafops/parse).")
def scan(
    targets: tuple[str, ...],
    fmt: str,
    output: str | None,
    details: bool,
    pretty: bool,
    all_evidence: bool,
    config_path: str | None,
    as_of: str | None,
    jobs: int,
    layout: str,
    github_url: str | None,
    azure_url: str | None,
    gitlab_url: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    extra: tuple[str, ...],
    aws_profile: str | None,
    aws_regions: tuple[str, ...],
    by: str,
    fail_under: int | None,
    baseline: str | None,
    fail_on_regression: bool,
    allow_missing: bool,
    deadline: float | None,
    strict: bool,
    no_cache: bool,
    parse_cache_dir: str | None,
) -> None:
    """Scan TARGETS: a checkout, a folder of checkouts, github:ORG[/REPO], ..."""
    from wafops.scanner.core import parse_cache
    from wafops.scanner.engine import ScanOptions

    parse_cache.configure(enabled=not no_cache, directory=parse_cache_dir)

    if fail_on_regression and not baseline:
        raise click.UsageError("--fail-on-regression needs --baseline FILE")
    base_doc = _load_result(baseline) if baseline else None
    config = _load_config(config_path)
    workloads = _workloads(config)
    if not targets and not workloads:
        raise click.UsageError("nothing to scan: give TARGETS, or workloads in --config wafops.yml")
    flags = {"github_url": github_url, "azure_url": azure_url, "gitlab_url": gitlab_url,
             "include": list(include), "exclude": list(exclude), "aws_profile": aws_profile,
             "aws_regions": list(aws_regions)}
    collector_options = _collector_options(config, flags, extra)
    collector_options, thresholds = _check_settings(collector_options, config.get("thresholds") or {})
    err_console = Console(stderr=True)
    bar = _progress_bar(err_console)
    decisions = _load_decisions(config)
    options = ScanOptions(
        decisions=decisions,
        jobs=max(1, jobs),
        now=_parse_as_of(as_of or config.get("as_of")),
        as_of_head=str(as_of or config.get("as_of") or "").lower() == "head",
        thresholds=thresholds,
        collector_options=collector_options,
        layout=layout,
        deadline=deadline,
        progress=bar.advance if bar else None,
        on_subjects=bar.start if bar else None,
        workloads=workloads,
        by=by,
    )
    with _Interrupts() as interrupts:
        result, source_failure = _run_scan(list(targets), options, bar)
        doc, written = _report(result, fmt, output, details, pretty, all_evidence)
        _note_reused(result, err_console)
        if written.error:
            where = f"; the result was written to {written.fallback}" if written.fallback else "; the result was not written"
            _err(err_console, f"[red]{escape(written.error + where)}[/red]")
        level_field = "confirmed_level" if strict else "level"  # the level the gates read
        failures = _gate_failures(doc, base_doc, level_field, fail_under, fail_on_regression, allow_missing, err_console)
        _exit(result, doc, failures, source_failure, bool(written.error), err_console, interrupts.seen)


def _report(result: Any, fmt: str, output: str | None, details: bool, pretty: bool,
            all_evidence: bool) -> tuple[dict[str, Any], Any]:
    """The result as the JSON contract, written first in the chosen format: nothing that can fail after
    it may lose it.

    What the scan built is left out of garbage collections meanwhile: its ~200,000 small objects start a
    full collection, which walked the whole heap of a large scan (parsed files, evidence) for 0.12-0.29 s
    to free ~50 objects. The report's own garbage is still collected."""
    from wafops.scanner.reports import json_report

    gc.freeze()
    try:
        doc = json_report.to_dict(result, all_evidence=all_evidence)
        return doc, _write_report(doc, fmt, output, details, pretty)
    finally:
        gc.unfreeze()


def _collector_options(config: dict[str, Any], flags: dict[str, Any], extra: tuple[str, ...]) -> dict[str, Any]:
    """Collector options: wafops.yml's `options`, then the CLI's flags that were given, then `--option KEY=VALUE`."""
    out: dict[str, Any] = dict(config.get("options") or {})
    out.update({k: v for k, v in flags.items() if v})
    for item in extra:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--option")
        out[key.strip()] = value
    return out


def _run_scan(targets: list[str], options: Any, bar: Any) -> tuple[Any, str | None]:
    """The scan's result, and why a whole source failed (an organisation's repository list unreadable)."""
    from wafops.scanner.engine import ScanSourceError, TargetError
    from wafops.scanner.engine import scan as run_scan

    try:
        return run_scan(targets, options), None
    except TargetError as err:
        raise click.UsageError(str(err)) from err
    except ScanSourceError as err:  # e.g. the organisation's repository list could not be read
        from wafops.scanner.core.model import ScanWarning, utcnow
        from wafops.scanner.engine import ScanResult

        now = utcnow()
        warning = ScanWarning("*", err.source, str(err))
        return ScanResult(now, now, [], [], [warning], complete=False), str(err)
    finally:
        if bar:
            bar.stop()


def _gate_failures(doc: dict[str, Any], base_doc: dict[str, Any] | None, level_field: str, fail_under: int | None,
                   fail_on_regression: bool, allow_missing: bool, err_console: Console) -> list[str]:
    """What fails the gates: regressions against the baseline (printed), levels under --fail-under, and a scan
    that read nothing, which never passes a gate."""
    from wafops.scanner.assess import gates

    failures: list[str] = []
    if base_doc is not None:
        from wafops.scanner.reports import diff

        changes, gone, _added = diff.compare(base_doc, doc, level_field)
        changes = [c for c in changes if (c.subject, c.control) not in gates.waived(doc)]
        if changes or gone:
            _err(err_console, "[bold]Changes against the baseline[/bold]")
            for ch in changes:
                bad = ch.is_regression(allow_missing)
                style = "red" if bad else "green" if ch.kind == "up" else "yellow"
                _err(err_console, f"  [{style}]{escape(str(ch))}[/{style}]")
        if fail_on_regression:
            failures += [f"regression: {r}" for r in diff.regressions(changes, gone, allow_missing)]
    if fail_under or fail_on_regression:
        empty = gates.nothing_scanned(doc)
        if empty:
            failures.append(f"gate: {empty}")
    if fail_under:
        failures += [f"below --fail-under: {r}" for r in gates.below(doc, fail_under, level_field)]
    return failures


def _exit(result: Any, doc: dict[str, Any], failures: list[str], source_failure: str | None, write_failed: bool,
          err_console: Console, interrupted: bool = False) -> None:
    """The exit code the README promises: 130 interrupted, 3 incomplete (never a pass), 1 gate failed, else 0."""
    from wafops.scanner.assess import gates

    if (not result.complete or interrupted) and source_failure is None and not result.deadline_passed:
        _err(err_console, "[yellow]scan interrupted: the report holds the subjects finished so far[/yellow]")
        sys.exit(gates.EXIT_INTERRUPTED)
    if result.deadline_passed:
        source_failure = next((w.message for w in result.warnings if "deadline" in w.message), "the deadline passed")
    incomplete = source_failure or gates.could_not_complete(doc)
    if incomplete:
        _err(err_console, f"[red]scan could not complete: {escape(incomplete)}[/red]")
    for line in failures:
        _err(err_console, f"[red]{escape(line)}[/red]")
    if incomplete or write_failed:
        sys.exit(gates.EXIT_INCOMPLETE)
    if failures:
        _err(err_console, f"[red]gate failed: {len(failures)} finding(s)[/red]")
        sys.exit(gates.EXIT_GATE)


def _note_reused(result: Any, err_console: Console) -> None:
    """Say so when collectors were not run because an earlier scan's outcome was replayed (wafops.scanner.reuse):
    a reviewer must know the evidence was read then, of the same files."""
    reused = [sr for sr in result.subjects if sr.reused]
    if reused:
        names = sorted({name for sr in reused for name in sr.reused})
        _err(err_console, f"[dim]{len(reused)} of {len(result.subjects)} subject(s): the files, the code and the options "
             f"are unchanged since an earlier scan, whose outcome of {', '.join(names)} was reused "
             "(`reused` in the JSON report; --no-cache reads everything again)[/dim]")


def _err(console: Console, markup: str) -> None:
    """One line on stderr, masked like every report field."""
    from wafops.scanner.core.redaction import mask

    console.print(mask(markup), highlight=False, soft_wrap=True)


def _write_report(doc: dict[str, Any], fmt: str, output: str | None, details: bool, pretty: bool = False) -> Any:
    """Render and write the report (to `output`, or stdout); never raises for an I/O problem.

    Each format's renderer is imported only for that format (the table's pulls in rich.table)."""
    import io

    from wafops.scanner.assess import gates

    text = _render_text(doc, fmt, pretty)
    if text is None:
        from wafops.scanner.reports import table

        if output:
            buf = io.StringIO()
            table.render(doc, Console(file=buf, width=200, color_system=None), details)
            return gates.write_file(buf.getvalue(), output, fmt)
        try:
            table.render(doc, Console(), details)
            sys.stdout.flush()
        except BrokenPipeError:
            gates.silence_stdout()
            return gates.Written(path="-", broken_pipe=True)
        return gates.Written(path="-")
    if output:
        return gates.write_file(text + "\n", output, fmt)
    return gates.write_stdout(text + "\n")


@main.command()
@click.argument("control_id", required=False)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="wafops.yml: show the thresholds it sets instead of the defaults.")
def controls(control_id: str | None, config_path: str | None) -> None:
    """Print the catalog: every control, its levels and every criterion in words, with the thresholds in force."""
    from wafops.rules.catalog import COMBINE_RULE, get_control, load_catalog

    config = _load_config(config_path)
    _options, thresholds = _check_settings({}, config.get("thresholds") or {})
    console = Console()
    selected = load_catalog()
    if control_id:
        control = get_control(control_id)
        if control is None:
            raise click.UsageError(f"unknown control {control_id}; try one of WAF-OPS-010 ... WAF-OPS-100")
        selected = (control,)
    for c in selected:
        console.rule(f"[bold]{c.id} {c.title}[/bold]")
        if c.summary:
            console.print(c.summary, highlight=False)
        console.print("[bold]How levels combine:[/bold] " + escape(COMBINE_RULE.format(share=c.supporting_share)),
                      highlight=False)
        for level in range(1, 6):
            console.print(f"[bold]Level {level}: {c.levels.get(level, '')}[/bold]", highlight=False)
            if level == 1:
                console.print("  the floor: no evidence needed", style="dim")
            for role in ("defining", "supporting"):
                crits = [cr for cr in c.at(level) if cr.role == role]
                if crits:
                    console.print(f"  [italic]{role}:[/italic]", highlight=False)
                for cr in crits:
                    _print_criterion(console, cr, thresholds)
            for text in c.unverified.get(level, ()):
                console.print("  - (not observable, listed as unverified) " + escape(text), style="dim", highlight=False)


def _print_criterion(console: Console, cr: Any, thresholds: dict[str, Any]) -> None:
    from wafops.rules.probes import PROBES

    console.print(f"  - {escape(cr.render(thresholds))}  [dim]({escape(cr.id)})[/dim]", highlight=False)
    if cr.why:
        console.print(f"      why: {escape(cr.why)}", style="dim", highlight=False)
    for ref in cr.any_of:
        p = PROBES[ref.probe]
        params = {**p.defaults, **ref.params, **thresholds.get(ref.probe, {}), **thresholds.get(cr.id, {})}
        ptxt = f" {params}" if params else ""
        alt = "or " if ref is not cr.any_of[0] else ""
        meta = escape(f"[probe {p.id}; sources: {_sources_text(p.sources)}]{ptxt}")
        console.print(f"      {escape(alt + p.render(params))} [dim]{meta}[/dim]", highlight=False)


@main.command()
def collectors() -> None:
    """List installed collectors: what each covers and what it needs."""
    from wafops.scanner.plugins import discover

    plugins = discover()
    console = Console()
    from rich.table import Table

    t = Table(title="Installed collectors")
    for col in ("name", "source", "controls (WAF-OPS-)", "needs", "from"):
        t.add_column(col)
    for c in plugins.collectors:
        d = c.describe()
        t.add_row(*(escape(str(x)) for x in (d["name"], d["source"], " ".join(c.replace("WAF-OPS-", "") for c in d["controls"]), d["needs"],
                                              plugins.origins.get(c.name, ""))))
    console.print(t)
    if plugins.resolvers:
        console.print("Target schemes: " + ", ".join(f"{k}:" for k in sorted(plugins.resolvers)))
    for err in plugins.errors:
        console.print(f"[red]plugin error:[/red] {escape(err)}")


def _load_result(path: str) -> dict[str, Any]:
    from wafops.scanner.reports import json_report

    try:
        doc = json_report.upgrade(json.loads(Path(path).read_text()))
        json_report.validate(doc)
    except Exception as err:
        raise click.UsageError(f"{path}: not a wafops JSON result: {str(err).splitlines()[0]}") from err
    from wafops.scanner.core.redaction import redact

    return redact(doc)  # a result written by an older version is masked like a new one


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option("--fail-on-regression", is_flag=True,
              help="Exit 1 when a level went down, a level became not assessed, or a subject disappeared.")
@click.option("--allow-missing", is_flag=True, help="A control no longer assessed or a subject gone is no regression.")
def diff_cmd(old: str, new: str, fail_on_regression: bool, allow_missing: bool) -> None:
    """What went up, what went down between two saved JSON results."""
    from wafops.scanner.reports import diff

    changes, gone, added = diff.compare(_load_result(old), _load_result(new))
    click.echo(diff.render(changes, gone, added, allow_missing))
    if fail_on_regression and diff.regressions(changes, gone, allow_missing):
        sys.exit(1)


@main.command()
@click.argument("result", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--details", is_flag=True)
@click.option("--pretty", is_flag=True, help="Indented JSON/SARIF.")
def report(result: str, fmt: str, details: bool, pretty: bool) -> None:
    """Render a saved JSON result again, without scanning."""
    from wafops.scanner.reports import table

    doc = _load_result(result)
    text = _render_text(doc, fmt, pretty)
    if text is None:
        table.render(doc, Console(), details)
    else:
        click.echo(text)


def _render_text(doc: dict[str, Any], fmt: str, pretty: bool = False) -> str | None:
    """The report as text for the text formats; None for the terminal table (rendered by rich)."""

    def dumps(data: Any) -> str:
        return json.dumps(data, indent=2) if pretty else json.dumps(data, separators=(",", ":"))

    if fmt == "json":
        return dumps(doc)
    if fmt == "markdown":
        from wafops.scanner.reports import markdown

        return markdown.render(doc)
    if fmt == "sarif":
        from wafops.scanner.reports import sarif

        return dumps(sarif.render(doc))
    if fmt == "html":
        from wafops.scanner.reports import html

        return html.render(doc)
    if fmt == "gitlab-codequality":
        from wafops.scanner.reports import codequality

        return dumps(codequality.render(doc))
    return None


if __name__ == "__main__":  # pragma: no cover
    main()
