"""Reuse, across dbt commands, the Python code Jinja generates for dbt's and the project's macros.

Every dbt command renders its macros and models through Jinja, and Jinja turns each template
source into Python code first (parse, generate, `compile()`): ~230 templates and 0.3-0.5 s of
every daily run here, the same sources every time. Jinja can keep that code between processes
(its bytecode cache), but only for templates read through a loader; dbt builds every template
from a string, so none is kept. `install()` keeps them: it wraps `jinja2.Environment.compile`
so that the code object of a template source is read from a cache file when the same source
was compiled before by the same kind of environment, and compiled (then kept) otherwise.

What decides the generated code is in the key: the source, the template name and file name,
the environment's class, extensions, code generator, lexer and code-generation settings, the
names of its filters and tests (constant folding may call them), and the Python, Jinja and
dbt versions. A template that fails to compile is not cached (the error is raised as before).
With dbt's template debugging on (DBT_MACRO_DEBUGGING or --macro-debugging: dbt then puts
each template's Python source in linecache for tracebacks) or OPS_SLA_JINJA_CACHE=0, nothing
is cached.

The cache is one file per interpreter and release set in the folder CACHE_DIR of dbt's
target folder (`make clean` and `dbt clean` remove it; it is readable by its owner only: it
holds code the project runs), read once when the command starts and rewritten, atomically,
when the command compiled something new (or, once a day, to mark what it used); entries no
command used for CACHE_DAYS days are dropped then, and so are other releases' files unused
for as long. DECISIONLOG: "dbt commands reuse compiled Jinja".
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import secrets
import sys
import threading
import time
from pathlib import Path
from types import CodeType
from typing import Any

CACHE_DIR = "ops_sla_jinja_cache"
CACHE_DAYS = 30
_FORMAT = 1  # bumped when the file's layout changes


def _versions() -> tuple[str, ...]:
    """What the generated code depends on beyond the environment: the interpreter (the code
    objects' format) and the Jinja and dbt releases (parser, extensions, code generator)."""
    import jinja2
    from dbt.__version__ import version as dbt_core
    from dbt.adapters.__about__ import version as dbt_adapters
    from dbt_common.__about__ import version as dbt_common

    return (sys.implementation.cache_tag or "", sys.version, f"jinja2={jinja2.__version__}",
            f"dbt-core={dbt_core}", f"dbt-common={dbt_common}", f"dbt-adapters={dbt_adapters}")


def _name(value: Any) -> str:
    """A stable name for a class or callable setting (its module and qualified name)."""
    if value is None or isinstance(value, (bool, str, int)):
        return repr(value)
    target = value if isinstance(value, type) else type(value) if not callable(value) else value
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', repr(target))}"


def environment_signature(env: Any) -> tuple:
    """Every setting of a Jinja environment that the code it generates for a source depends on."""
    return (
        _name(type(env)),
        tuple(sorted(_name(type(ext)) for ext in env.extensions.values())),
        _name(env.code_generator_class),
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, env.is_async, _name(env.autoescape), _name(env.finalize),
        tuple(sorted(env.filters)), tuple(sorted(env.tests)),
        tuple(sorted(getattr(env, "intercepted_binops", ()))), tuple(sorted(getattr(env, "intercepted_unops", ()))),
    )


class CompiledTemplateCache:
    """Code objects of compiled template sources, by key, kept in one file."""

    def __init__(self, folder: Path, now: float | None = None) -> None:
        self.now = time.time() if now is None else now
        self.versions = _versions()
        # one file per interpreter and release set: commands of two virtualenvs sharing a
        # target folder do not throw each other's entries away
        self.path = folder / f"{hashlib.sha256(repr(self.versions).encode()).hexdigest()[:16]}.marshal"
        self.entries: dict[str, tuple[float, bytes]] = {}  # key -> (last used, marshalled code)
        self.used: set[str] = set()
        self.added = 0
        self.hits = 0
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        try:
            with self.path.open("rb") as fh:
                data = marshal.load(fh)
            if isinstance(data, dict) and data.get("format") == _FORMAT and data.get("versions") == self.versions:
                self.entries = dict(data["entries"])
                os.utime(self.path)  # the file's time is its last use (clean-up of other releases' files)
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            self.entries = {}  # no cache yet, or an unreadable one: start empty

    def key(self, env: Any, source: str, name: str | None, filename: str | None, defer_init: bool) -> str:
        text = repr((environment_signature(env), name, filename, defer_init))
        return hashlib.sha256(text.encode() + b"\0" + source.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> CodeType | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            code = marshal.loads(entry[1])
        except (EOFError, ValueError, TypeError):
            return None
        with self._lock:
            self.used.add(key)
            self.hits += 1
        return code

    def put(self, key: str, code: CodeType) -> None:
        with self._lock:
            self.entries[key] = (self.now, marshal.dumps(code))
            self.used.add(key)
            self.added += 1

    def save(self) -> None:
        """Write the file (atomically: a reader sees the old file or the new one) when this
        process compiled something new or used an entry last marked used over a day ago:
        the entries it used are marked used now, and entries unused for CACHE_DAYS days are
        dropped, as are other releases' files and abandoned temporary files. Never recreates
        a target folder a command removed (`dbt clean`)."""
        with self._lock:  # dbt's worker threads may still be rendering when the process exits
            entries, used, added = dict(self.entries), set(self.used), self.added
        day_ago, oldest = self.now - 86400, self.now - CACHE_DAYS * 86400
        if not added and all(entries[key][0] >= day_ago for key in used):
            return
        kept = {key: (self.now if key in used else used_at, code)
                for key, (used_at, code) in entries.items() if key in used or used_at >= oldest}
        data = {"format": _FORMAT, "versions": self.versions, "entries": kept}
        folder = self.path.parent
        try:
            if not folder.parent.is_dir():
                return
            folder.mkdir(mode=0o700, exist_ok=True)  # it holds code this project runs: its owner's only
            tmp = folder / f"{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            try:
                with tmp.open("xb") as fh:
                    marshal.dump(data, fh)
                os.replace(tmp, self.path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            for other in [*folder.glob("*.marshal"), *folder.glob("*.tmp")]:
                limit = oldest if other.suffix == ".marshal" else day_ago
                if other != self.path and other.stat().st_mtime < limit:
                    other.unlink(missing_ok=True)  # another release's file, or a killed writer's
        except OSError:
            pass  # a cache that cannot be written only costs the next command the compile time


_installed: CompiledTemplateCache | None = None


def enabled() -> bool:
    return os.environ.get("OPS_SLA_JINJA_CACHE", "1") != "0" and not os.environ.get("DBT_MACRO_DEBUGGING")


def _macro_debugging() -> bool:
    """dbt's template debugging, switched on by DBT_MACRO_DEBUGGING or by the --macro-debugging
    flag once dbt has read its flags: dbt then puts each template's Python source where
    tracebacks find it, while compiling."""
    jinja_client = sys.modules.get("dbt_common.clients.jinja")
    return bool(getattr(jinja_client, "MACRO_DEBUGGING", False))


def install(target: Path) -> CompiledTemplateCache | None:
    """Serve Jinja's compiled template code from (and keep it in) `target`/CACHE_DIR for the
    rest of this process; written back at exit. None (nothing changed) when disabled."""
    global _installed
    if _installed is not None or not enabled():
        return _installed
    import jinja2

    cache = CompiledTemplateCache(target / CACHE_DIR)
    compile_uncached = jinja2.Environment.compile

    def compile_cached(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        if raw or not isinstance(source, str) or _macro_debugging():
            return compile_uncached(self, source, name, filename, raw, defer_init)
        key = cache.key(self, source, name, filename, defer_init)
        code = cache.get(key)
        if code is None:
            code = compile_uncached(self, source, name, filename, raw, defer_init)
            cache.put(key, code)
        return code

    compile_cached.__doc__ = compile_uncached.__doc__
    jinja2.Environment.compile = compile_cached  # type: ignore[method-assign]
    atexit.register(cache.save)
    _installed = cache
    return cache
