"""Every mart of the *published* warehouse as a Tableau `.hyper` extract and as CSV.

    python -m ops_sla.extracts                       # publish/ops_sla.duckdb -> publish/extracts/
    python -m ops_sla.extracts --db pub/ops_sla.duckdb --out pub/extracts --formats hyper

Layout: `<out>/hyper/<mart>.hyper` (one table, "Extract"."<mart>") and `<out>/csv/<mart>.csv`
(header row, comma-separated, ISO dates and timestamps). Each file is written to a temporary
name in its folder and swapped in with `os.replace`, so Tableau never sees half a file.
Naive local timestamps stay naive: DuckDB TIMESTAMP -> Arrow timestamp without time zone ->
Hyper TIMESTAMP (not TIMESTAMP WITH TIME ZONE). Extracts of marts that no longer exist are
removed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import duckdb
import pantab
from tableauhyperapi import TableName

from ops_sla.atomic import replacing
from ops_sla.paths import publish_dir
from ops_sla.publish import (
    MART_SCHEMA,
    PUBLISHED_NAME,
    PublishError,
    connect_read_only,
    list_marts,
    quote_ident,
    quote_str,
)

FORMATS = ("hyper", "csv")
HYPER_SCHEMA = "Extract"


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _default_file_mode()


def hyper_table(mart: str) -> TableName:
    return TableName(HYPER_SCHEMA, mart)


def write_hyper(con: duckdb.DuckDBPyConnection, mart: str, path: Path) -> None:
    table = con.sql(f"select * from {MART_SCHEMA}.{quote_ident(mart)}").to_arrow_table()
    # the Hyper server writes hyperd.log into the working directory unless told otherwise
    with tempfile.TemporaryDirectory(prefix="hyperd-log-") as log_dir, replacing(path) as tmp:
        pantab.frame_to_hyper(table, tmp, table=hyper_table(mart), process_params={"log_dir": log_dir})
        os.chmod(tmp, _FILE_MODE)  # Hyper creates 0640; extracts are shared like the CSVs


def write_csv(con: duckdb.DuckDBPyConnection, mart: str, path: Path) -> None:
    with replacing(path) as tmp:
        con.execute(f"copy (select * from {MART_SCHEMA}.{quote_ident(mart)}) to {quote_str(str(tmp))}"
                    " (format csv, header true, delimiter ',')")


WRITERS = {"hyper": write_hyper, "csv": write_csv}


def write_extracts(db: Path, out: Path, formats: tuple[str, ...] = FORMATS) -> dict[str, list[Path]]:
    """Write one file per mart and format; returns the files written per format."""
    written: dict[str, list[Path]] = {}
    with connect_read_only(db, alias=Path(PUBLISHED_NAME).stem) as con:
        marts = list_marts(con)
        if not marts:
            raise PublishError(f"{db} has no tables in schema {MART_SCHEMA}")
        for fmt in formats:
            folder = out / fmt
            folder.mkdir(parents=True, exist_ok=True)
            paths = [folder / f"{mart}.{fmt}" for mart in marts]
            for mart, path in zip(marts, paths, strict=True):
                WRITERS[fmt](con, mart, path)
            for stale in set(folder.glob(f"*.{fmt}")) - set(paths):
                stale.unlink()
            written[fmt] = paths
    return written


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops_sla.extracts",
        description="Write every mart of the published warehouse as a Tableau .hyper extract and as CSV.")
    parser.add_argument("--db", type=Path, default=None,
                        help=f"published DuckDB file (default: $OPS_SLA_PUBLISH_DIR/{PUBLISHED_NAME})")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: $OPS_SLA_PUBLISH_DIR/extracts)")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS),
                        help="which extracts to write (default: both)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db = args.db or publish_dir() / PUBLISHED_NAME
    out = args.out or publish_dir() / "extracts"
    try:
        written = write_extracts(db, out, tuple(args.formats))
    except (PublishError, duckdb.Error) as exc:
        print(f"extracts: FAILED - {exc}", file=sys.stderr)
        return 1
    for fmt, paths in written.items():
        print(f"extracts: {len(paths)} {fmt} files in {out / fmt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
