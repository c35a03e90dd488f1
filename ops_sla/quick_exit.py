"""A dbt-duckdb plugin that makes every dbt command end ~0.5 s sooner, changing nothing it did.

When a dbt command has finished, the Python interpreter shuts down: its last garbage
collection walks every object still alive, and a dbt process holds millions of them (the
parsed project, hundreds of macros with their Jinja templates, the generated dataclasses).
On this project, from dbt's last log line to the end of the process took 0.6 s after a daily
run and 1.4 s after a full build; with this plugin 0.1 s and 0.9 s (what is left of the
latter is DuckDB writing the warehouse file as it closes).

At exit this plugin (profiles.yml loads it) first closes the warehouse connection it was
given, so DuckDB checkpoints and closes the file at a known point, and then calls
`gc.freeze()`: the objects alive at that instant move to a generation the final collection
skips. Reference counting still frees what it can and every module is still torn down, so
files, logs (logging's own exit hook runs after this one) and connections close as before;
only objects held in reference cycles are left to the end of the process, unfinalised. Nothing
runs differently while dbt works.
"""

from __future__ import annotations

import atexit
import gc
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin


class Plugin(BasePlugin):
    """Closes the warehouse connection and freezes the garbage collector when the process exits."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._connections: list[duckdb.DuckDBPyConnection] = []
        atexit.register(self._at_exit)

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        # the connection dbt-duckdb opens the warehouse with (its cursors are closed by dbt
        # when the command ends); closing it at exit checkpoints and closes the file. dbt-duckdb
        # calls this under its environment's lock, and exit hooks run on one thread.
        self._connections.append(conn)

    def _at_exit(self) -> None:
        connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except duckdb.Error:  # already closed, or the process is failing anyway
                pass
        gc.freeze()
