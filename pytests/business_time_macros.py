"""The business-time macros as SQL templates, for tests that run them on their own rows.

The macros embed their arguments verbatim, so one `dbt compile --inline` with placeholder
arguments gives templates that are reused for any SQL expressions (`MacroSql.between(a, b)`).
The SQL is dbt's real compile output of the project's macros, not a copy.
"""

from __future__ import annotations

from conftest import compile_inline

# the alias under which a query joins int_business_time_index for the `*_joined` templates;
# the `*_columns` templates read the index's numbers as plain columns of the row (index='')
JOINED_INDEX = "business_time"
# Placeholders substituted textually for the macro arguments (the macros embed their
# arguments verbatim, so compiling once with placeholders gives a reusable template).
_ARGS = {"a": "__OPS_SLA_ARG_A__", "b": "__OPS_SLA_ARG_B__", "n": "__OPS_SLA_ARG_N__"}
_CALLS = {
    "business_minutes_between": "{{ business_minutes_between('__OPS_SLA_ARG_A__', '__OPS_SLA_ARG_B__') }}",
    "business_minutes_add": "{{ business_minutes_add('__OPS_SLA_ARG_A__', '__OPS_SLA_ARG_N__') }}",
    "business_ordinal_us": "{{ business_ordinal_us('__OPS_SLA_ARG_A__') }}",
    # the same with the index joined under an alias (index='business_time'), and with its
    # numbers already columns of the row (index=''), as int_case_sla reads them
    **{f"{macro}_{form}": f"{{{{ {macro}('__OPS_SLA_ARG_A__', '__OPS_SLA_ARG_{arg}__', index='{index}') }}}}"
       for macro, arg in (("business_minutes_between", "B"), ("business_minutes_add", "N"))
       for form, index in (("joined", JOINED_INDEX), ("columns", ""))},
    "local_to_instant": "{{ local_to_instant('__OPS_SLA_ARG_A__') }}",
    "instant_to_local": "{{ instant_to_local('__OPS_SLA_ARG_A__') }}",
}


class MacroSql:
    """The compiled SQL of the business-time macros, as templates over their arguments."""

    def __init__(self, templates: dict[str, str]) -> None:
        self.templates = templates

    def _fill(self, name: str, **args: str) -> str:
        sql = self.templates[name]
        for key, value in args.items():
            sql = sql.replace(_ARGS[key], f"({value})")
        return sql

    @staticmethod
    def _form(index: str | None) -> str:
        """The template suffix for the macros' argument `index`: none, JOINED_INDEX or ''."""
        return {None: "", JOINED_INDEX: "_joined", "": "_columns"}[index]

    def between(self, a: str, b: str, index: str | None = None) -> str:
        return self._fill("business_minutes_between" + self._form(index), a=a, b=b)

    def add(self, a: str, n: str, index: str | None = None) -> str:
        return self._fill("business_minutes_add" + self._form(index), a=a, n=n)

    def ordinal_us(self, a: str) -> str:
        return self._fill("business_ordinal_us", a=a)

    def local_to_instant(self, a: str) -> str:
        return self._fill("local_to_instant", a=a)

    def instant_to_local(self, a: str) -> str:
        return self._fill("instant_to_local", a=a)


def compile_business_time_sql(env: dict[str, str]) -> MacroSql:
    """One `dbt compile --inline` of every business-time macro call, split into templates."""
    return MacroSql(compile_inline(_CALLS, env))
