"""A synthetic raw.cases for bench/expectations_memory.py: python bench/expectations_memory_db.py DB ROWS."""
import sys

import duckdb

from ingest.sources import SOURCES, raw_table_ddl

n = int(sys.argv[2])
con = duckdb.connect(sys.argv[1])
con.execute("create schema if not exists raw")
for s in SOURCES.values():
    con.execute(raw_table_ddl(s))
con.execute(f"""
insert into raw.cases (case_id, item_code, dept_code, channel, applicant_type, applicant_id,
  applicant_name, submitted_at, accepted_at, status, result, completed_at, promised_limit_days,
  updated_at, _batch_id, _file_name, _line, _loaded_at)
select 'C' || lpad(i::varchar, 9, '0'), 'I' || (i % 94), 'D' || (i % 38),
  case when i % 2 = 0 then '线上' else '线下' end,
  case when i % 3 = 0 then '法人' else '自然人' end, 'X' || (i % 500000), '张三' || (i % 1000),
  ts, ts + interval 2 hour,
  case when i % 4 = 0 then '办理中' else '已办结' end,
  case when i % 4 = 0 then null else '准予' end,
  case when i % 4 = 0 then null else ts + interval 3 day end,
  5, ts + interval 3 day,
  'cases:' || (i // 50000), 'f.csv', i, now()::timestamp
from (select i, timestamp '2025-01-01' + to_seconds(i * 30) as ts from range({n}) t(i))
""")
print(con.execute("select count(*), count(distinct _batch_id) from raw.cases").fetchall())
