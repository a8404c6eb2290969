"""The platform and cloud plugins are discovered without being imported: what discovery says of them
(scanner/plugins.py DEFERRED) must be what their classes say, and they must behave like the classes."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from wafops.collectors.base import CollectContext, Collector
from wafops.scanner.core.model import Subject
from wafops.scanner.core.options import declared
from wafops.scanner.plugins import COLLECTOR_GROUP, DEFERRED, TARGET_GROUP, discover

SHIPPED = {ep.value: ep for group in (COLLECTOR_GROUP, TARGET_GROUP) for ep in entry_points(group=group)
           if ep.dist and ep.dist.name == "wafops"}


def test_every_deferred_entry_point_is_shipped():
    assert set(DEFERRED) <= set(SHIPPED)


@pytest.mark.parametrize("value", sorted(DEFERRED))
def test_the_table_says_what_the_class_says(value):
    ep, cls = SHIPPED[value], SHIPPED[value].load()
    if ep.group == COLLECTOR_GROUP:
        name, source, role, platform = DEFERRED[value]
        assert (name, source, role, cls.not_scanned) == (cls.name, cls.source, cls.role, Collector.not_scanned)
        # the real collector never applies to a subject of another platform, nor to a local checkout
        for meta in ({}, {"platform": "elsewhere"}, {"platform": "", "repo": {}, "project": {}}):
            subject = Subject(id="s", kind="repository", meta=meta)
            assert not cls().applies(subject, CollectContext(subject=subject))
        assert platform
    else:
        scheme, hosts = DEFERRED[value]
        assert (scheme, hosts) == (cls.scheme, tuple(cls.remote_hosts))


def test_stand_ins_answer_like_the_real_plugins():
    plugins = discover()
    for c in plugins.collectors:
        real = type(c)._target() if hasattr(type(c), "_target") else type(c)
        assert c.describe() == real.describe()
        assert (c.name, c.source, c.role, c.description, c.needs, tuple(c.controls)) == (
            real.name, real.source, real.role, real.description, real.needs, tuple(real.controls))
    for scheme, r in plugins.resolvers.items():
        real = type(r)._target() if hasattr(type(r), "_target") else type(r)
        assert (scheme, r.description, tuple(r.remote_hosts)) == (real.scheme or scheme, real.description,
                                                                  tuple(real.remote_hosts))
    expected = {}
    for group in (COLLECTOR_GROUP, TARGET_GROUP):
        for ep in entry_points(group=group):
            expected.update({str(k): str(t) for k, t in (getattr(ep.load(), "option_types", None) or {}).items()})
    assert set(expected) <= set(declared(plugins))


def test_a_local_scan_imports_no_platform_or_cloud_plugin(tmp_path):
    code = (
        "import sys\n"
        "from wafops.scanner.engine import ScanOptions, scan\n"
        f"tmp = {str(tmp_path)!r}\n"
        "open(tmp + '/README.md', 'w').write('svc')\n"
        "scan([tmp], ScanOptions(layout='single'))\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(('wafops.collectors.platforms', "
        "'wafops.collectors.cloud'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "LOADED []" in out.stdout, out.stdout[-500:] + out.stderr[-2000:]
