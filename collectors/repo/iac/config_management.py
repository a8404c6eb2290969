"""Configuration management: Ansible, Puppet, Chef, Salt.

An SRE counts configuration management as infrastructure as code: the inventory, playbooks and roles
(manifests, cookbooks, states) declare what every server runs. Deployable configurations (playbooks,
`site.pp`, `top.sls`, Chef policyfiles/environments/roles) are roots; roles, Puppet modules, cookbooks and
formulas are reusable modules. Large trees are grouped per role/module folder so a 10,000-manifest Puppet
repository yields a handful of `iac.code` items, not one per directory. Roles and cookbooks of the
repository that several playbooks or roles apply are reported as `iac.module` with `used_by`."""

from __future__ import annotations

import re

from wafops.collectors.repo.iac.state import IacRun, dirname, role_of

# Ansible plays: a YAML list whose items name `hosts` and what to run on them (tasks, roles, imports)
ANSIBLE_HOSTS_RX = re.compile(r"(?m)^(?:-[ \t]+|[ \t]{2,})hosts:[ \t]*\S")
ANSIBLE_BODY_RX = re.compile(
    r"(?m)^(?:-[ \t]+|[ \t]{2,})(?:tasks|roles|pre_tasks|post_tasks|handlers|(?:ansible\.builtin\.)?import_playbook):"
)
PLAY_KEYS = {"tasks", "roles", "pre_tasks", "post_tasks", "handlers"}
PUPPET_DECL_RX = re.compile(r"(?m)^[ \t]*(?:class|define|node)[ \t]+['\"]?[\w:.\-/]+|^[ \t]*[a-z][\w:]*[ \t]*\{[ \t]*['\"$]")


def ansible_playbook(run: IacRun, path: str) -> None:
    data = run.tree.yaml(path)
    if not isinstance(data, list):
        return
    plays = [p for p in data if isinstance(p, dict) and (
        ("hosts" in p and PLAY_KEYS & set(p)) or "import_playbook" in p or "ansible.builtin.import_playbook" in p)]
    if not plays:
        return
    d = run.dir("ansible", path)
    d.files += 1
    d.resources = (d.resources or 0) + len(plays)
    d.root = True
    for play in plays:
        for r in play.get("roles") or [] if isinstance(play.get("roles"), list) else []:
            name = r if isinstance(r, str) else (r.get("role") or r.get("name")) if isinstance(r, dict) else None
            if isinstance(name, str) and "{{" not in name:
                run.role_users.setdefault(name.rsplit("/", 1)[-1], set()).add(path)


def _group(run: IacRun, tool: str, key_dir: str, path: str, n: int, root: bool) -> None:
    """Count `path` (with `n` resources) into the group of `tool` code at `key_dir`."""
    d = run.dir(tool, path, key_dir)
    d.files += 1
    d.resources = (d.resources or 0) + n
    d.root = d.root or root


def config_management(run: IacRun) -> None:
    _ansible_roles(run)
    _puppet(run)
    _chef(run)
    _salt(run)


def _ansible_roles(run: IacRun) -> None:
    tree = run.tree
    # Ansible roles: <...>roles/<name>/tasks/main.yml, grouped per roles/ folder; a role repository
    # (tasks/main.yml beside meta/main.yml at its top) is one module.
    for path in tree.glob("*roles/*/tasks/main.yml", "*roles/*/tasks/main.yaml", "tasks/main.yml", "tasks/main.yaml"):
        parts = path.split("/")
        idx = max((i for i, seg in enumerate(parts[:-2]) if seg == "roles"), default=None)
        if idx is None:
            if not tree.exists("meta/main.yml") and not tree.exists("meta/main.yaml"):
                continue
            key_dir = "."
        else:
            key_dir = "/".join(parts[: idx + 1])
        _group(run, "ansible", key_dir, path, 1, False)
    # roles of this repository applied by several playbooks: a module library (like shared cookbooks)
    role_dirs = {p.split("/")[-3]: "/".join(p.split("/")[:-2]) for p in tree.glob("*roles/*/tasks/main.yml",
                                                                                "*roles/*/tasks/main.yaml")}
    for name, books in sorted(run.role_users.items()):
        if name in role_dirs and role_of(role_dirs[name]) != "example":
            first = sorted(books)[0]
            run.ev("iac.module", first, run.tree.line_of(first, name) or 1, {
                "name": name, "source": role_dirs[name], "source_kind": "local", "pinned": True, "version": None,
                "dir": dirname(first), "tool": "ansible", "used_by": len(books),
            }, f"role {name} applied by {len(books)} playbook(s)")


def _puppet(run: IacRun) -> None:
    tree = run.tree
    # Puppet: manifests grouped per `modules/<m>` tree or per directory; site.pp / Puppetfile make a root
    roots = {dirname(p) for p in tree.named("site.pp", "Puppetfile", "environment.conf")}
    for path in tree.with_suffix(".pp"):
        text = tree.text(path)
        if not text:
            continue
        n = len(PUPPET_DECL_RX.findall(text))
        if not n:
            continue
        parts = path.split("/")
        idx = next((i for i, seg in enumerate(parts[:-1]) if seg in ("modules", "site-modules", "site")), None)
        key_dir = "/".join(parts[: idx + 1]) if idx is not None else dirname(path)
        root = path.endswith("site.pp") or dirname(path) in roots or dirname(dirname(path)) in roots
        _group(run, "puppet", key_dir, path, n, root)


def _chef(run: IacRun) -> None:
    tree = run.tree
    # Chef: cookbooks (metadata.rb beside recipes/), grouped per cookbooks folder; Policyfiles are roots
    for path in tree.named("metadata.rb"):
        base = dirname(path)
        prefix = "" if base == "." else base + "/"
        recipes = [p for p in tree.glob(prefix + "recipes/*.rb") if p.count("/") == prefix.count("/") + 1]
        if not recipes:
            continue
        _group(run, "chef", dirname(base) if base != "." else ".", path, len(recipes), False)
    for path in tree.named("Policyfile.rb"):
        _group(run, "chef", dirname(path), path, 1, True)
    _chef_roles(run)


def _salt(run: IacRun) -> None:
    tree = run.tree
    # Salt: states grouped under the state tree that holds top.sls (a root); formulas elsewhere
    tops = sorted({dirname(p) for p in tree.named("top.sls")}, key=len, reverse=True)
    for path in tree.with_suffix(".sls"):
        d = dirname(path)
        top = next((t for t in tops if t == "." or d == t or d.startswith(t + "/")), None)
        _group(run, "salt", top if top is not None else d, path, 1, top is not None)


def _chef_roles(run: IacRun) -> None:
    """Chef roles and environments (`roles/*.rb|json` with a run_list) are what nodes are assigned: the
    deployable configuration (a root). Each cookbook of this repository that a role's run_list names is
    reported once as an `iac.module` with `used_by` (how many roles use it): an internal cookbook
    library shared by many roles is a module library."""
    tree = run.tree
    books = {dirname(dirname(p)).rsplit("/", 1)[-1]: dirname(dirname(p))
             for p in tree.glob("*recipes/*.rb") if tree.exists(dirname(dirname(p)) + "/metadata.rb")}
    if not books:
        return
    users: dict[str, list[tuple[str, int]]] = {}
    for path in tree.glob("*roles/*.rb", "*roles/*.json", "*environments/*.rb", "*environments/*.json"):
        if role_of(dirname(path)) == "example":
            continue
        text = tree.text(path) or ""
        if "run_list" not in text and "cookbook_versions" not in text and "/environments/" not in f"/{path}":
            continue
        _group(run, "chef", dirname(path), path, 1, True)
        for m in re.finditer(r"recipe\[([\w-]+)(?:::[\w-]+)?(?:@[\d.]+)?\]", text):
            if m.group(1) in books:
                users.setdefault(m.group(1), [])
                if path not in {p for p, _ln in users[m.group(1)]}:
                    users[m.group(1)].append((path, text.count("\n", 0, m.start()) + 1))
    for book, refs in sorted(users.items()):
        path, line = refs[0]
        run.ev("iac.module", path, line, {
            "name": book, "source": books[book], "source_kind": "local", "pinned": True, "version": None,
            "dir": dirname(path), "tool": "chef", "used_by": len(refs),
        }, f"cookbook {book} in the run list of {len(refs)} role(s)/environment(s)")
