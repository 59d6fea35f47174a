-- zh: 每个文件：读取行数 = 载入行数 + 拒绝行数
-- en: For every file, rows read = rows loaded + rows rejected
select table_name, file_name, rows_read, rows_loaded, rows_rejected from ingest_files
where rows_read <> rows_loaded + rows_rejected
