# random instants over the calendar range, quarter-hour-exact ones, and local walls around DST changes
import duckdb, sys
db, out = sys.argv[1], sys.argv[2]
c = duckdb.connect(db, read_only=True)
c.sql("set TimeZone='UTC'; select setseed(0.31)")
c.sql(f"""
copy (
  with cases as (select case_id, row_number() over (order by case_id) as n from intermediate.int_case_ownership),
  base as (
    select i as pair_id,
      (select case_id from cases where n = 1 + (i % (select count(*) from cases))) as case_id,
      timestamptz '2025-06-20 00:00:00+00' + to_microseconds(cast(random() * 200 * 86400e6 as bigint)) as ra,
      to_microseconds(cast(random() * 30 * 86400e6 as bigint)) as span,
      ['America/Los_Angeles','Europe/London','Australia/Sydney','Asia/Kolkata','Australia/Lord_Howe'][1 + (i % 5)] as zone,
      i % 4 as kind
    from range(20000) t(i)
  )
  select pair_id, case_id,
    case when kind = 0 then date_trunc('hour', ra) + to_minutes(15 * (pair_id % 4)) else ra end as a,
    case when kind = 0 then date_trunc('hour', ra) + to_minutes(15 * (pair_id % 4)) else ra end + span as b,
    case when pair_id % 3 = 0 then round(random() * 6000) else random() * 6000 end as mins,
    zone,
    -- local walls in and around the DST changes of 2025 (30-minute steps), others anywhere
    case when pair_id % 2 = 0
      then (['2025-03-09 00:00','2025-11-02 00:00','2025-03-30 00:00','2025-10-26 00:00','2025-04-06 00:00','2025-10-05 00:00'][1 + (pair_id % 6)])::timestamp
           + to_minutes(30 * ((pair_id // 6) % 8))
      else ra::timestamp end as local_wall
  from base
) to '{out}' (format parquet)
""")
print(c.sql(f"select count(*), count(distinct case_id), min(a), max(b) from read_parquet('{out}')").fetchall())
