import duckdb, sys
db, sqlf, outdir = sys.argv[1:4]
c = duckdb.connect(db, read_only=True)
c.sql("set TimeZone='UTC'")
for t in ["int_business_time_index", "int_case_ownership"]:
    c.sql(f"copy intermediate.{t} to '{outdir}/{t}.parquet' (format parquet)")
sql = open(sqlf).read()
c.sql(f"copy ({sql}) to '{outdir}/result_duck.parquet' (format parquet)")
print(c.sql(f"describe select * from read_parquet('{outdir}/result_duck.parquet')").fetchall())
