import duckdb, sys
d = sys.argv[1]
c = duckdb.connect(); c.sql("set TimeZone='UTC'")
c.sql(f"create view dk as select * from read_parquet('{d}/result_duck.parquet')")
c.sql(f"create view sp as select * from read_parquet('{d}/result_spark.parquet/*.parquet')")
print("rows duck/spark:", c.sql("select (select count(*) from dk), (select count(*) from sp)").fetchall())
cols = [r[0] for r in c.sql("describe dk").fetchall() if r[0] != 'pair_id']
for col in cols:
    n, nulls = c.sql(f"""select count(*) filter (where dk.{col} is distinct from sp.{col}), count(*) filter (where dk.{col} is null)
                  from dk join sp using (pair_id)""").fetchall()[0]
    ex = c.sql(f"select pair_id, dk.{col}, sp.{col} from dk join sp using (pair_id) where dk.{col} is distinct from sp.{col} limit 3").fetchall()
    print(f"{col:22s} differ={n} nulls_duck={nulls}", ex if n else "")
