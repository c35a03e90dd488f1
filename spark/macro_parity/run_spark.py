import sys, time
from pyspark.sql import SparkSession
sqlf, outdir = sys.argv[1:3]
s = (SparkSession.builder.master("local[1]").config("spark.driver.memory", "1g")
     .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
     .config("spark.sql.ansi.enabled", "false").config("spark.sql.catalogImplementation", "in-memory")
     .config("spark.sql.shuffle.partitions", "2").config("spark.sql.warehouse.dir", outdir + "/wh").getOrCreate())
s.sparkContext.setLogLevel("ERROR")
s.sql("create database if not exists intermediate")
for t in ["int_business_time_index", "int_case_ownership"]:
    s.sql(f"create or replace temporary view src_{t} as select * from parquet.`{outdir}/{t}.parquet`")
    s.sql(f"drop table if exists intermediate.{t}")
    s.sql(f"create table intermediate.{t} using parquet as select * from src_{t}")
sql = "\n".join(l for l in open(sqlf).read().splitlines() if not l.startswith(("WARN", "26/", "Setting", "To adjust", "Using Spark")))
t = time.time()
df = s.sql(sql)
df.printSchema()
df.write.mode("overwrite").parquet(outdir + "/result_spark.parquet")
print(f"spark query {time.time()-t:.1f}s")
