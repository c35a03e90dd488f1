"""ops-sla: business-hour SLA analytics on dbt-duckdb (Python helpers)."""
