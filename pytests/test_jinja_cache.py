"""ops_sla/jinja_cache.py: Jinja's compiled template code, kept between dbt commands."""

from __future__ import annotations

import json
import marshal
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import jinja2.sandbox
import pytest
from conftest import ROOT, Warehouse

from ops_sla import jinja_cache
from ops_sla.jinja_cache import CACHE_DAYS, CACHE_DIR, CompiledTemplateCache

DAY = 86400.0

# a child process that installs the cache, renders templates (one twice) in a sandboxed and a
# plain environment, and prints what it rendered and what the cache did
CHILD = """
import json, sys
from pathlib import Path
import jinja2, jinja2.sandbox
from ops_sla import jinja_cache
cache = jinja_cache.install(Path(sys.argv[1]))
sandboxed = jinja2.sandbox.SandboxedEnvironment()
plain = jinja2.Environment(trim_blocks=True)
source = "{% for x in xs %}{{ x | upper }}-{% endfor %}{{ 1 + 2 }}"
out = [sandboxed.from_string(source).render(xs=["a", "b"]), plain.from_string(source).render(xs=["c"]),
       sandboxed.from_string(source).render(xs=["d"]), sandboxed.from_string("{{ 'x' ~ y }}").render(y=1)]
print(json.dumps({"out": out, "hits": cache and cache.hits, "added": cache and cache.added}))
"""


def _child(folder: Path, **env: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(folder)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_second_process_reuses_the_code_and_renders_the_same(tmp_path: Path) -> None:
    first = _child(tmp_path)
    assert first["out"] == ["A-B-3", "C-3", "D-3", "x1"]
    # three sources in two environments: the sandboxed one's first template is compiled once
    assert (first["added"], first["hits"]) == (3, 1)
    assert len(list((tmp_path / CACHE_DIR).glob("*.marshal"))) == 1
    second = _child(tmp_path)
    assert second["out"] == first["out"]
    assert (second["added"], second["hits"]) == (0, 4)


@pytest.mark.parametrize("env", [{"OPS_SLA_JINJA_CACHE": "0"}, {"DBT_MACRO_DEBUGGING": "1"}], ids=["off", "debugging"])
def test_disabled_changes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    seen = _child(tmp_path, **env)
    assert seen["out"] == ["A-B-3", "C-3", "D-3", "x1"]
    assert seen["added"] is None and not (tmp_path / CACHE_DIR).exists()


def test_an_unreadable_cache_file_is_replaced(tmp_path: Path) -> None:
    path = CompiledTemplateCache(tmp_path / CACHE_DIR).path
    path.parent.mkdir()
    path.write_bytes(b"\x00not marshal at all")
    seen = _child(tmp_path)
    assert seen["out"][0] == "A-B-3" and seen["added"] == 3
    assert _child(tmp_path)["hits"] == 4


def test_the_key_follows_source_environment_and_names(tmp_path: Path) -> None:
    cache = CompiledTemplateCache(tmp_path / CACHE_DIR)
    sandboxed = jinja2.sandbox.SandboxedEnvironment()
    base = cache.key(sandboxed, "{{ a + b }}", None, None, False)
    assert base == cache.key(jinja2.sandbox.SandboxedEnvironment(), "{{ a + b }}", None, None, False)
    others = {
        cache.key(sandboxed, "{{ a - b }}", None, None, False),  # another source
        cache.key(jinja2.Environment(), "{{ a + b }}", None, None, False),  # another class (no sandbox)
        cache.key(jinja2.sandbox.SandboxedEnvironment(trim_blocks=True), "{{ a + b }}", None, None, False),
        cache.key(jinja2.sandbox.SandboxedEnvironment(extensions=["jinja2.ext.do"]), "{{ a + b }}", None, None, False),
        cache.key(sandboxed, "{{ a + b }}", "name", None, False),
        cache.key(sandboxed, "{{ a + b }}", None, "file.sql", False),
        cache.key(sandboxed, "{{ a + b }}", None, None, True),
    }
    with_filter = jinja2.sandbox.SandboxedEnvironment()
    with_filter.filters["as_text"] = str  # constant folding may call a filter
    others.add(cache.key(with_filter, "{{ a + b }}", None, None, False))
    assert base not in others and len(others) == 8


def test_saving_keeps_what_was_used_and_drops_the_long_unused(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_DIR
    now = 1_800_000_000.0
    code = compile("x = 1", "<template>", "exec")
    first = CompiledTemplateCache(folder, now=now)
    path = first.path
    first.put("stale", code)
    first.put("still-used", code)
    first.save()
    second = CompiledTemplateCache(folder, now=now + 20 * DAY)
    second.put("recent", code)
    second.save()
    assert set(marshal.loads(path.read_bytes())["entries"]) == {"stale", "still-used", "recent"}
    later = now + (CACHE_DAYS + 5) * DAY  # the first two entries unused for longer than CACHE_DAYS
    # files of other interpreters or releases: dropped once unused for CACHE_DAYS days
    for name, age in (("other-old.marshal", CACHE_DAYS + 1), ("other-recent.marshal", 1)):
        (folder / name).write_bytes(b"")
        os.utime(folder / name, (later - age * DAY, later - age * DAY))
    third = CompiledTemplateCache(folder, now=later)
    assert third.get("still-used") is not None and third.get("missing") is None
    third.put("new", code)
    third.save()
    kept = marshal.loads(path.read_bytes())["entries"]
    assert set(kept) == {"still-used", "recent", "new"}
    assert kept["still-used"][0] == later and kept["recent"][0] == now + 20 * DAY
    assert sorted(p.name for p in folder.glob("*.marshal")) == sorted([path.name, "other-recent.marshal"])


def test_nothing_is_written_without_a_new_template(tmp_path: Path) -> None:
    cache = CompiledTemplateCache(tmp_path / CACHE_DIR)
    cache.save()
    assert not (tmp_path / CACHE_DIR).exists()


def test_a_command_that_only_reads_marks_what_it_used_once_a_day(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_DIR
    now = 1_800_000_000.0
    code = compile("x = 1", "<template>", "exec")
    first = CompiledTemplateCache(folder, now=now)
    first.put("daily", code)
    first.put("full-build-only", code)
    first.save()
    assert folder.stat().st_mode & 0o777 == 0o700  # code the project runs: its owner's only
    written = first.path.read_bytes()
    hours_later = CompiledTemplateCache(folder, now=now + 3600)
    assert hours_later.get("daily") is not None
    hours_later.save()
    assert first.path.read_bytes() == written  # used within the day: nothing to write
    days_later = CompiledTemplateCache(folder, now=now + 2 * DAY)
    assert days_later.get("daily") is not None
    days_later.save()
    kept = marshal.loads(first.path.read_bytes())["entries"]
    assert kept["daily"][0] == now + 2 * DAY and kept["full-build-only"][0] == now


def test_saving_leaves_a_removed_target_folder_removed_and_clears_stale_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    code = compile("x = 1", "<template>", "exec")
    cache = CompiledTemplateCache(target / CACHE_DIR)
    cache.put("a", code)
    cache.save()
    stale = cache.path.with_name(cache.path.name + ".123.abcd.tmp")
    stale.write_bytes(b"")
    os.utime(stale, (cache.now - 2 * DAY, cache.now - 2 * DAY))
    cache.put("b", code)
    cache.save()
    assert not stale.exists()
    shutil.rmtree(target)  # `dbt clean` while the command ran
    cache.put("c", code)
    cache.save()
    assert not target.exists()


def test_dbt_macro_debugging_flag_turns_the_cache_off_at_run_time(tmp_path: Path) -> None:
    """dbt's --macro-debugging sets dbt_common's MACRO_DEBUGGING once it has read its flags,
    after the cache is installed: templates compiled from then on are neither served nor kept."""
    child = """
import json, sys
from pathlib import Path
import jinja2.sandbox
import dbt_common.clients.jinja as dbt_jinja
from ops_sla import jinja_cache
cache = jinja_cache.install(Path(sys.argv[1]))
env = jinja2.sandbox.SandboxedEnvironment()
env.from_string("{{ 1 }}")
dbt_jinja.MACRO_DEBUGGING = True
env.from_string("{{ 2 }}")
env.from_string("{{ 1 }}")
print(json.dumps({"hits": cache.hits, "added": cache.added}))
"""
    proc = subprocess.run([sys.executable, "-c", child, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"hits": 0, "added": 1}


# the instant each command stamps its rows with (macro run_marker) differs from run to run
RUN_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00")


def _compiled_tree(target: Path) -> dict[str, str]:
    return {str(path.relative_to(target)): RUN_INSTANT.sub("<instant>", path.read_text())
            for path in sorted(target.rglob("*.sql"))}


def test_dbt_compiles_the_same_sql_from_cached_code(warehouse: Warehouse, tmp_path: Path) -> None:
    """Every model and test compiled by dbt with a cold cache, with a warm one (every template
    served from the file) and without the cache: the same SQL."""
    trees = []
    for run, setting in enumerate(["1", "1", "0"]):
        target = tmp_path / f"target-{run}"
        if run == 1:
            shutil.copytree(tmp_path / "target-0", target)  # the warm run starts from the cold run's cache
        env = warehouse.env(DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(target / "logs"),
                            OPS_SLA_JINJA_CACHE=setting)
        proc = subprocess.run([sys.executable, "-m", "ops_sla.dbt_cli", "compile", "-q"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        trees.append(_compiled_tree(target / "compiled"))
    assert len(trees[0]) > 100
    assert trees[0] == trees[1] == trees[2]
    # the warm run compiled nothing new, so it left the cold run's file as it was
    name = CompiledTemplateCache(tmp_path).path.name
    written = (tmp_path / "target-0" / CACHE_DIR / name).read_bytes()
    assert (tmp_path / "target-1" / CACHE_DIR / name).read_bytes() == written
    cached = marshal.loads(written)
    assert len(cached["entries"]) > 100 and cached["versions"] == jinja_cache._versions()
    assert not (tmp_path / "target-2" / CACHE_DIR).exists()
