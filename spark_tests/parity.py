"""Compare a mart built on DuckDB with the same mart built on Spark, row for row.

The Spark target writes its tables as parquet folders under
`<OPS_SLA_SPARK_DIR>/warehouse/<schema>.db/<table>/`; DuckDB reads them and casts each column to
the type the DuckDB mart has (the contract's type). Rows are compared as multisets after sorting
both sides by every compared column: exactly, except the interpolated quantile columns (names
starting `p<digits>_`), whose last bit the two engines round differently (`QUANTILE_REL_TOL`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# columns that hold the instant of the run itself, so differ between any two builds
RUN_INSTANT_COLUMNS = {"refreshed_at_utc", "refreshed_at"}
# DuckDB's quantile_cont and Spark's percentile interpolate between the same two values with
# formulas that round the last bit differently
QUANTILE_COLUMN = re.compile(r"^(sla_[ab]_)?p\d+_")
QUANTILE_REL_TOL = 1e-12


@dataclass
class MartComparison:
    mart: str
    duckdb_rows: int = 0
    spark_rows: int = 0
    missing_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (self.missing_columns or self.extra_columns or self.differences) \
            and self.duckdb_rows == self.spark_rows

    def describe(self) -> str:
        lines = [f"{self.mart}: {self.duckdb_rows} DuckDB rows, {self.spark_rows} Spark rows"]
        if self.missing_columns:
            lines.append(f"  columns missing on Spark: {self.missing_columns}")
        if self.extra_columns:
            lines.append(f"  columns only on Spark: {self.extra_columns}")
        lines += [f"  {difference}" for difference in self.differences[:10]]
        if len(self.differences) > 10:
            lines.append(f"  ... and {len(self.differences) - 10} more")
        return "\n".join(lines)


def spark_table_files(spark_dir: Path, schema: str, table: str) -> str:
    return str(spark_dir / "warehouse" / f"{schema}.db" / table / "*.parquet")


def values_equal(column: str, a: object, b: object) -> bool:
    if QUANTILE_COLUMN.match(column) and isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=QUANTILE_REL_TOL, abs_tol=0.0)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def compare_rows(mart: str, columns: list[str], duckdb_rows: list[tuple],
                 spark_rows: list[tuple]) -> MartComparison:
    """Both row lists sorted the same way; every row compared column by column."""
    result = MartComparison(mart, len(duckdb_rows), len(spark_rows))
    if len(duckdb_rows) != len(spark_rows):
        result.differences.append("row counts differ")
        return result
    for number, (left, right) in enumerate(zip(duckdb_rows, spark_rows, strict=True), start=1):
        for column, a, b in zip(columns, left, right, strict=True):
            if not values_equal(column, a, b):
                result.differences.append(f"row {number} (sorted), column {column}: DuckDB {a!r}, Spark {b!r}")
    return result


def sort_key(row: tuple) -> tuple:
    # NULLs first, then by value; a type's values compare among themselves
    return tuple((value is not None, value if value is not None else 0) for value in row)


def compare_mart(con: duckdb.DuckDBPyConnection, duckdb_relation: str, spark_files: str,
                 mart: str) -> MartComparison:
    duckdb_columns = con.execute(f"describe {duckdb_relation}").fetchall()
    spark_columns = {row[0] for row in con.execute(f"describe select * from read_parquet('{spark_files}')").fetchall()}
    result = MartComparison(mart)
    result.missing_columns = [name for name, *_ in duckdb_columns if name not in spark_columns]
    result.extra_columns = sorted(spark_columns - {name for name, *_ in duckdb_columns})
    compared = [(name, data_type) for name, data_type, *_ in duckdb_columns
                if name not in RUN_INSTANT_COLUMNS and name in spark_columns]
    names = [name for name, _ in compared]
    quoted = ", ".join(f'"{name}"' for name in names)
    cast = ", ".join(f'cast("{name}" as {data_type}) as "{name}"' for name, data_type in compared)
    # sort by the exactly compared columns first, so rows pair up however quantiles round
    order = [i for i, name in enumerate(names) if not QUANTILE_COLUMN.match(name)] + \
        [i for i, name in enumerate(names) if QUANTILE_COLUMN.match(name)]

    def ordered(rows: list[tuple]) -> list[tuple]:
        return sorted(rows, key=lambda row: sort_key(tuple(row[i] for i in order)))

    duckdb_rows = ordered(con.execute(f"select {quoted} from {duckdb_relation}").fetchall())
    spark_rows = ordered(con.execute(f"select {cast} from read_parquet('{spark_files}')").fetchall())
    compared_rows = compare_rows(mart, names, duckdb_rows, spark_rows)
    compared_rows.missing_columns, compared_rows.extra_columns = result.missing_columns, result.extra_columns
    return compared_rows


def compare_marts(duckdb_file: Path, spark_dir: Path) -> list[MartComparison]:
    """Every mart of the DuckDB warehouse against the Spark table of the same name."""
    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        marts = [row[0] for row in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "union all select view_name from duckdb_views() where schema_name = 'marts' order by 1"
        ).fetchall()]
        results = []
        for mart in marts:
            files = spark_table_files(spark_dir, "marts", mart)
            if not list((spark_dir / "warehouse" / "marts.db" / mart).glob("*.parquet")):
                missing = MartComparison(mart)
                missing.differences.append(f"no Spark table files at {files}")
                results.append(missing)
                continue
            results.append(compare_mart(con, f'marts."{mart}"', files, mart))
        return results
