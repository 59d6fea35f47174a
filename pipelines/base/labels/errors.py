"""What went wrong and what to do, by error code (`NorthstarError(code, **values)`): a sentence per language with
the same values. The English is what the command line prints; a page shows the reader's language."""

ERRORS: dict[str, tuple[str, str]] = {
    # ---- a raw file (pipelines/warehouse/ingest.py, importer.py) ----
    "file_column_twice": ("{path}：列 {columns} 在表头中出现了不止一次，无法确定 {table} 表该载入哪一列。"
                          "请删除或重命名多余的列后重新构建；之前的数据仓库继续使用。",
                          "{path}: the column {columns} appears more than once in the header, so it is not clear "
                          "which to load for table {table}. Remove or rename the extra one and build again; the "
                          "previous warehouse still serves."),
    "file_columns_twice": ("{path}：列 {columns} 在表头中出现了不止一次，无法确定 {table} 表该载入哪一列。"
                           "请删除或重命名多余的列后重新构建；之前的数据仓库继续使用。",
                           "{path}: the columns {columns} appear more than once in the header, so it is not clear "
                           "which to load for table {table}. Remove or rename the extra one and build again; the "
                           "previous warehouse still serves."),
    "file_missing_column": ("{path}：{table} 表缺少必需的列 {columns}（文件中的列：{found}）。请按 docs/product.md 第 "
                            "2 节“数据约定”改正列名（名称须完全一致）后重新构建；之前的数据仓库继续使用。",
                            "{path}: missing required column {columns} for table {table} (columns found: {found}). "
                            "Rename the column in the file (names are exact, see docs/product.md §2 'Data contract') "
                            "and build again; the previous warehouse still serves."),
    "file_missing_columns": ("{path}：{table} 表缺少必需的列 {columns}（文件中的列：{found}）。请按 docs/product.md "
                             "第 2 节“数据约定”改正列名（名称须完全一致）后重新构建；之前的数据仓库继续使用。",
                             "{path}: missing required columns {columns} for table {table} (columns found: {found}). "
                             "Rename the column in the file (names are exact, see docs/product.md §2 'Data contract')"
                             " and build again; the previous warehouse still serves."),
    "file_not_utf8": ("{path}：第 {line} 行含有不是 UTF-8 的字节（{raw}），整个文件也不能作为中文 GB18030 "
                      "读取（可能是西欧语言的 Excel 导出）。为避免乱码，没有载入任何内容。请另存为“CSV UTF-8”（Excel："
                      "另存为 → CSV UTF-8）后重试。",
                      "{path}: line {line} has bytes that are not UTF-8 ({raw}), and the file does not read as "
                      "Chinese GB18030 either (it may be a Western-European Excel export): nothing was loaded rather "
                      "than wrong characters. Save it as CSV UTF-8 (Excel: Save As → CSV UTF-8) and build again."),
    "file_bad_header": ("{path}：第 {line} 行的表头无法读取（{problem}）。请修正第一行（用逗号分隔的列名）后重试。",
                        "{path}: the header on line {line} cannot be read ({problem}). Fix the first line (column "
                        "names separated by commas) and build again."),
    "file_header_encoding": ("{path}：第 {line} 行的表头不是 {encoding} 编码的文字。请把文件另存为 CSV UTF-8 "
                             "后重新构建。",
                             "{path}: the header on line {line} is not {encoding} text. Save the file as CSV UTF-8 "
                             "and build again."),
    "xlsx_not_zip": ("{path}：不是 Excel 工作簿（.xlsx 文件是 zip 压缩包，这个不是）。请在 Excel 中另存为 .xlsx，"
                     "或导出为 CSV UTF-8。",
                     "{path}: cannot be opened as an Excel workbook (an .xlsx file is a zip archive, this one is not)"
                     ". Save it again as .xlsx in Excel, or export it as CSV UTF-8."),
    "xlsx_too_big": ("{path}：解压后有 {mb:,.0f} MB，超过工作簿的上限 {limit:,} MB（NORTHSTAR_XLSX_MAX_MB）。"
                     "请改为导出 CSV UTF-8；没有读取任何内容。",
                     "{path}: unpacks to {mb:,.0f} MB, more than the {limit:,} MB a workbook may "
                     "(NORTHSTAR_XLSX_MAX_MB). Export it as CSV UTF-8 instead; nothing was read."),
    "xlsx_bomb": ("{path}：{kb:,.0f} KB 的文件解压后有 {mb:,.0f} MB（{ratio:,.0f} 倍，正常导出为 5 到 20 倍），"
                  "可能是为拖垮服务器而构造的，因此没有打开。请在 Excel 中重新保存，或导出为 CSV UTF-8。",
                  "{path}: {kb:,.0f} KB unpacks to {mb:,.0f} MB ({ratio:,.0f} times; a real export packs 5 to 20 "
                  "times), so it was not opened: it may be built to stall the server. Open it in Excel and save it "
                  "again, or export it as CSV UTF-8."),
    "xlsx_slow": ("{path}：读取工作簿超过 {seconds:,} 秒，已停止（NORTHSTAR_XLSX_SECONDS）。请导出为 CSV UTF-8，"
                  "读取会快得多。",
                  "{path}: reading the workbook took more than {seconds:,} s and was stopped (NORTHSTAR_XLSX_SECONDS)"
                  ". Export it as CSV UTF-8, which reads much faster."),
    "xlsx_memory": ("{path}：读取工作簿需要超过 {mb:,} MB 内存，已停止（NORTHSTAR_XLSX_MEMORY_MB）。请改为导出 CSV "
                    "UTF-8。",
                    "{path}: reading the workbook needed more than {mb:,} MB of memory and was stopped "
                    "(NORTHSTAR_XLSX_MEMORY_MB). Export it as CSV UTF-8 instead."),
    "xlsx_unreadable": ("{path}：无法作为 Excel 工作簿读取（{err}）。请重新另存为 .xlsx，或导出为 CSV UTF-8。",
                        "{path}: cannot be read as an Excel workbook ({err}). Save it again as .xlsx, or export it "
                        "as CSV UTF-8."),
    "parquet_unreadable": ("{path}：无法作为 Parquet 读取（{err}）。请重新导出，或另存为 CSV UTF-8。",
                           "{path}: cannot be read as Parquet ({err}). Export it again, or save it as CSV UTF-8."),
    "file_not_text": ("{name}：既不是 UTF-8 也不是 GB18030 文字，请另存为 CSV UTF-8。",
                      "{name}: neither UTF-8 nor GB18030 text; save it as CSV UTF-8"),
    "file_unreadable": ("{name}：无法作为 {fmt} 读取（{err}）", "{name}: cannot be read as {fmt} ({err})"),
    "file_wrong_type": ("{name}：不是 CSV、XLSX 或 Parquet 文件，请把表格导出为其中一种。",
                        "{name}: not a CSV, XLSX or Parquet file; export the sheet as one of those"),
    "file_which_table": ("{name}：无法判断是哪张表。请把文件命名为 stations…、members…、orders…（或 驿站 / 会员 / "
                         "订单），或使用数据约定中的列名。",
                         "{name}: cannot tell which table it is; name it stations…, members… or orders… (or "
                         "驿站/会员/订单), or give it the contract's columns (docs/product.md §2 'Data contract')"),
    "file_lacks_column": ("{name}（{table}）：缺少必需的列 {columns}（文件中的列：{found}）。请按 docs/product.md 第 "
                          "2 节“数据约定”改正列名后重试。",
                          "{name} ({table}): missing required column {columns} (columns found: {found}); rename the "
                          "columns as in docs/product.md §2 'Data contract' and try again"),
    "file_lacks_columns": ("{name}（{table}）：缺少必需的列 {columns}（文件中的列：{found}）。请按 docs/product.md 第 "
                           "2 节“数据约定”改正列名后重试。",
                           "{name} ({table}): missing required columns {columns} (columns found: {found}); rename "
                           "the columns as in docs/product.md §2 'Data contract' and try again"),
    "file_none_loaded": ("{name}：{read:,} 行全部无法载入（{reasons}）。请按报告中的原因修正文件后重试。",
                         "{name}: none of its {read:,} rows could be loaded ({reasons}); fix the file (the reasons "
                         "are in the report) and try again"),
    "no_files_given": ("没有选择文件", "no files given"),
    "check_slow": ("{names}：检查超过 {seconds:,} 秒，已停止（NORTHSTAR_CHECK_SECONDS）。请把导出拆成较小的文件，或用 "
                   "python -m pipelines import 导入。",
                   "{names}: checking took more than {seconds:,} s and was stopped (NORTHSTAR_CHECK_SECONDS); split "
                   "the export into smaller files, or import it with python -m pipelines import"),
    "check_crashed": ("检查意外中止（{err}）。请重试，或用 python -m pipelines import 导入以查看详情。",
                      "the check stopped unexpectedly ({err}); try again, or import the files with python -m "
                      "pipelines import to see more"),
    "import_unchecked": ("这些文件没有检查过或有问题，请修正后重新检查：{problems}",
                         "the files were not checked or have problems; fix them and check again: {problems}"),
    "import_would_shrink": ("没有做任何改动：{problems}。如果确实如此，请加上 --allow-shrink 再运行。",
                            "nothing was changed: {problems}. If this is what you want, run again with "
                            "--allow-shrink."),
    # ---- the build (pipelines/warehouse/build.py) ----
    "not_a_date": ("截至日期 {text!r} 不是日期：请用 YYYY-MM-DD，例如 2026-11-24。",
                   "as-of date {text!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-24."),
    "shrink_empty": ("{table} 会变成空表（现在有 {before:,} 行）",
                     "{table} would be empty (it has {before:,} rows now)"),
    "shrink_rows": ("{table} 会从 {before:,} 行减少到 {now:,} 行",
                    "{table} would shrink from {before:,} to {now:,} rows"),
    "shrink_rejected": ("{table} 的 {read:,} 行中有 {rejected:,} 行会被拒绝",
                        "{rejected:,} of the {read:,} {table} rows would be rejected"),
    "shrink_rejected_as": ("{table} 的 {read:,} 行中有 {rejected:,} 行会被拒绝，主要原因是「{code}」",
                           "{rejected:,} of the {read:,} {table} rows would be rejected, most as “{code}”"),
    "data_table_stations": ("驿站表", "stations"),
    "data_table_members": ("会员表", "members"),
    "data_table_orders": ("订单表", "orders"),
    "shrink_refused": ("新的构建看起来是个错误，因此没有替换 {db}：{problems}（截至 {as_of}）。请检查文件和 --as-of；"
                       "如果确实如此，请加上 --allow-shrink 重新构建。",
                       "the new build looks like a mistake, so {db} was not replaced: {problems} (as-of {as_of}). "
                       "Check the files and --as-of; if this is what you want, build again with --allow-shrink."),
    "build_busy": ("另一个构建正在写入 {db}（{holder}）。请等它完成（或停止它）后再试；当前数据仓库继续使用。",
                   "another build is writing {db} ({holder}); wait for it to finish (or stop it), then build again. "
                   "The current warehouse keeps serving."),
    "refresh_busy": ("{db} 的另一次刷新正在运行（{holder}）；这一次什么也没做。",
                     "another refresh of {db} is running ({holder}); this one did nothing"),
    "disk_full": ("{folder} 所在的磁盘已满（剩余 {free:,.0f} MiB），发生在{step}时：没有任何改动，"
                  "之前的数据仓库继续使用。请腾出空间（构建需要约两倍于数据仓库大小的空间，用于副本和临时文件）"
                  "后重新构建。",
                  "the disk holding {folder} is full ({free:,.0f} MiB free) while {step}: nothing was changed and "
                  "the previous warehouse keeps serving. Free some space — a build needs room for a copy of the "
                  "warehouse and its scratch files, about twice the warehouse's size — and build again."),
    "raw_missing": ("原始数据文件夹 {raw} 不存在。请生成示例数据（python -m pipelines sample），或用 --raw / "
                    "NORTHSTAR_RAW 指向导出文件所在的文件夹。",
                    "raw folder {raw} does not exist. Generate the sample (python -m pipelines sample) or point "
                    "--raw / NORTHSTAR_RAW at a folder of exports."),
    "raw_empty": ("{raw} 中没有原始文件：需要 stations、members、orders 的 .csv、.parquet 或 .xlsx "
                  "文件（文件名以表名开头）。可用 `python -m pipelines sample` 生成示例数据。",
                  "no raw files in {raw}: expected stations, members and orders as .csv, .parquet or .xlsx (file "
                  "names start with the table name). Generate the sample with `python -m pipelines sample`."),
    "incremental_copy_failed": ("增量刷新无法复制 {db}（{err}）；数据仓库没有改动。请腾出磁盘空间，或不加 "
                                "--incremental 构建。",
                                "the incremental refresh could not copy {db} ({err}); the warehouse is untouched. "
                                "Free some disk space, or build without --incremental."),
    "new_warehouse_failed": ("无法在 {db} 旁创建新的数据仓库（{err}）；之前的数据仓库继续使用。",
                             "the new warehouse could not be created beside {db} ({err}); the previous one keeps "
                             "serving."),
    "build_failed": ("构建在{step}时失败：{err}。之前的数据仓库（{db}）没有改动；请排除原因后重新构建。",
                     "build failed while {step}: {err}. The previous warehouse ({db}) is untouched; fix the cause "
                     "and build again."),
    "data_tests_failed": ("数据测试失败：{tests}。构建已停止，之前的数据仓库继续使用。这是流水线的缺陷，"
                          "或是它尚未处理的数据：请带上这些行报告（规则在 pipelines/warehouse/sql/tests/）。",
                          "{tests}. The build stopped and the previous warehouse keeps serving. This is a defect of "
                          "the pipeline or data it does not handle yet: report it with these rows "
                          "(pipelines/warehouse/sql/tests/ holds the rules)."),
    "data_test_failed": ("{name}（{rule}）：{rows:,} 行，例如 {examples}",
                         "data test {name} failed ({rule}): {rows:,} rows, e.g. {examples}"),
    "no_build_report": ("数据仓库没有构建报告（{err}）；请用 `python -m pipelines build` 重新构建。",
                        "the warehouse has no build report ({err}); rebuild it with `python -m pipelines build`."),
    # ---- the warehouse read (okr, freshness) ----
    "no_daily_network": ("数据仓库没有 daily_network 表（{err}）；请用 `python -m pipelines build` 重新构建。",
                         "the warehouse has no daily_network table ({err}); rebuild it with `python -m pipelines "
                         "build`."),
    "no_build_info": ("数据仓库没有 build_info（{err}）；请用 `python -m pipelines build` 重新构建。",
                      "the warehouse has no build_info ({err}); rebuild it with `python -m pipelines build`."),
    "not_a_month": ("月份 {month!r} 不是月份：请用 YYYY-MM，例如 2026-11。",
                    "month {month!r} is not a month: use YYYY-MM, e.g. 2026-11."),
    "no_dated_rows": ("数据仓库中没有带日期的行；请先从原始数据构建（python -m pipelines build）。",
                      "the warehouse has no dated rows; build it from raw data first (python -m pipelines build)."),
    "as_of_after_data": ("截至日期 {as_of} 晚于数据的最后日期（{last}）；请选择 {last} 或更早的日期，"
                         "或用更新的数据构建。",
                         "as-of {as_of} is after the last date in the data ({last}); pick a date on or before {last},"
                         " or build with newer data."),
    "month_after_as_of": ("{month} 开始于截至日期 {as_of} 之后：请选择 {last_month} 或更早的月份（月份开始前无法评估）"
                          "。",
                          "month {month} starts after the as-of date {as_of}: pick {last_month} or an earlier month "
                          "(a month cannot be judged before it begins)."),
    "warehouse_missing": ("{db} 没有数据仓库：请运行 `python -m pipelines sample` 和 `python -m pipelines build`（或 "
                          "`make run`），或用 --db / NORTHSTAR_DB 指向一个数据仓库。",
                          "no warehouse at {db}: run `python -m pipelines sample` and `python -m pipelines build` "
                          "(or `make run`), or point --db / NORTHSTAR_DB at one."),
    "warehouse_unopenable": ("数据仓库 {db} 无法打开（{err}）；请用 `python -m pipelines build` 重新构建。",
                             "the warehouse {db} cannot be opened ({err}); rebuild it with `python -m pipelines "
                             "build`."),
    "analysis_tables_missing": ("数据仓库中没有 {tables} 表", "the warehouse has no {tables} table(s)"),
    "cohort_filter": ("不能按 {dim!r} 筛选（可用：{dims}）", "cannot filter by {dim!r} (use one of: {dims})"),
    "cohort_breakdown": ("不能按 {dim!r} 细分（可用：{dims}）", "cannot break down by {dim!r} (use one of: {dims})"),
    "cohort_measure": ("度量 {measure!r} 不是 active 或 active_or_after",
                       "measure {measure!r} is not active or active_or_after"),
    # ---- the sample, sources and the pull ----
    "sample_size": ("未知的规模 {size!r}：请选择 {sizes} 之一。", "unknown size {size!r}: choose one of {sizes}."),
    "sample_format": ("未知的格式 {fmt!r}：请选择 parquet 或 csv。", "unknown format {fmt!r}: choose parquet or csv."),
    "source_env_unset": ("数据源 {source}：环境变量 {env} 没有设置；请把它设为数据库的连接串（{example}）",
                         "source {source}: the environment variable {env} is not set; set it to the database's "
                         "connection string ({example})"),
    "sources_missing": ("{config} 中没有 {file}：请写一个，指明公司的数据库"
                        "（docs/admin-guide.md「Pulling from the company's database」）",
                        "no {file} in {config}: write one naming the company's database (docs/admin-guide.md, "
                        "'Pulling from the company's database')"),
    "watermark_unusable": ("保存的水位 {value!r}（{kind}）无法使用；请加 --full 运行拉取，重新读取所有行",
                           "the stored watermark {value!r} ({kind}) cannot be used; run the pull with --full to read "
                           "every row again"),
    "watermark_text": ("水位列 {column} 的值是 {text!r}：文字水位只能包含字母、数字和 -_.: ；请使用 updated_at "
                       "时间戳或数字编号",
                       "the watermark column {column} holds {text!r}: a text watermark may only hold letters, digits "
                       "and -_.: ; use an updated_at timestamp or a numeric id"),
    "watermark_type": ("水位列 {column} 的类型是 {type}：请使用时间戳（updated_at）、日期或整数编号",
                       "the watermark column {column} is {type}: use a timestamp (updated_at), a date or a "
                       "whole-number id"),
    "database_said": ("{label}：数据库返回：{err}", "{label}: the database said: {err}"),
    "pull_stopped": ("{label}：读取 {rows:,} 行后停止：{err}", "{label}: reading stopped after {rows:,} rows: {err}"),
    "pull_duplicates": ("拉取 {table}：检查编号是否重复时，数据库返回：{err}",
                        "pull {table}: checking ids for duplicates, the database said: {err}"),
    # ---- the plan store (pipelines/plan) ----
    "store_broken": ("计划存储文件 {path} 已损坏，无法读取（{err}）。目标、关键动作和打卡都保存在其中："
                     "请从备份恢复这个文件，或把它移到别处，再运行 python -m pipelines plan import --config "
                     "<计划文件夹> 从计划文件重新建立。数据本身不受影响。",
                     "The plan store {path} cannot be read ({err}). Targets, key actions and check-ins are kept "
                     "there: restore the file from a backup, or move it aside and run python -m pipelines plan "
                     "import --config <plan folder> to start it again from the plan files. The data itself is not "
                     "affected."),
    "store_read_only": ("计划存储 {path} 以只读方式打开", "the plan store {path} was opened read-only"),
    "store_busy": ("计划存储 {path} 正忙（{err}）；请稍后再试。",
                   "the plan store {path} is busy ({err}); try again in a moment."),
    "not_a_target": ("不是目标：月份 {month!r}，层级 {level!r}，指标 {metric!r}",
                     "not a target: month {month!r}, level {level!r}, metric {metric!r}"),
    "target_not_number": ("目标 {target!r} 不是 ≥ 0 的数", "target {target!r} is not a number ≥ 0"),
    "say_who": ("请说明是谁做的修改", "say who makes the change"),
    "say_who_undoes": ("请说明是谁撤销这次修改", "say who undoes the change"),
    "say_who_checks_in": ("请说明是谁填报的进展", "say who makes the check-in"),
    "store_not_a_month": ("{month!r} 不是月份：请用 YYYY-MM", "{month!r} is not a month: use YYYY-MM"),
    "not_a_target_node": ("不是目标：层级 {level!r}，节点 {node!r}，指标 {metric!r}",
                          "not a target: level {level!r}, node {node!r}, metric {metric!r}"),
    "center_members_only": ("中台 {node}：中台只设会员目标", "center {node}: centers hold member targets only"),
    "node_target_not_number": ("{node} {metric}：目标 {target!r} 不是 ≥ 0 的数",
                               "{node} {metric}: target {target!r} is not a number ≥ 0"),
    "targets_changed": ("在你打开之后，有人修改了这些目标：{items}。没有保存任何内容。",
                        "someone else changed these targets since you opened them: {items}. Nothing was saved."),
    "undo_blocked": ("修改 #{change} 无法撤销：之后的修改设置了它的目标：{items}。没有保存任何内容。",
                     "change #{change} cannot be undone: a later change set its targets: {items}. Nothing was saved."),
    "target_conflict": ("{node} {metric} 现在是 {target}（{who} 于 {at} 设置）",
                        "{node} {metric} is {target} (set by {who} at {at})"),
    "nothing_to_undo": ("修改 #{change} 没有修改任何目标：没有可撤销的内容",
                        "change #{change} changed no targets: there is nothing to undo"),
    "checkin_which": ("请说明这次进展填报针对哪个关键结果", "say which key result the check-in is for"),
    "checkin_not_number": ("进展值 {value!r} 不是 ≥ 0 的数", "check-in value {value!r} is not a number ≥ 0"),
    "confidence_unknown": ("信心 {confidence!r} 不是以下之一：{known}",
                           "confidence {confidence!r} is not one of: {known}"),
    "checkin_empty": ("一次进展填报需要一个数值、信心或备注", "a check-in needs a value, a confidence or a comment"),
    "no_key_action": ("没有关键要务 {action!r}", "there is no key action {action!r}"),
    "account_exists": ("{user} 已经有账号：`users reset {user}` 可设置新密码",
                       "{user} has an account already: `users reset {user}` sets a new password"),
    "account_missing": ("{user} 没有账号：`users add {user}` 可创建一个",
                        "{user} has no account: `users add {user}` makes one"),
    "account_not_removed": ("{user} 没有账号；没有删除任何内容", "{user} has no account; nothing was removed"),
    "password_short": ("密码至少需要 {n} 个字符", "a password needs at least {n} characters"),
    "password_spaces": ("密码不能以空格开头或结尾", "a password may not start or end with a space"),
    "denied_targets": ("{user}（{role}）不能设置这些目标：{shown}",
                       "{user} ({role}) may not set these targets: {shown}"),
    "denied_checkin": ("{user}（{role}）不能填报中台 {center} 的进展",
                       "{user} ({role}) may not record a check-in of center {center}"),
    "denied_key_actions": ("{user}（{role}）不能修改中台 {center} 的关键要务",
                           "{user} ({role}) may not change the key actions of center {center}"),
    "denied_page": ("--as {user_id}：{user} 的角色是 {role}，不能查看 {page}（可以查看的角色：{allowed}）。",
                    "--as {user_id}: {user} is a {role}, who may not read {page} (roles that may: {allowed})."),
    "signin_wrong": ("账号或密码不对", "wrong id or password"),
    "signin_locked": ("已锁定，直到 {until} UTC", "locked until {until} UTC"),
    "plan_file_not_text": ("{name}：既不是 UTF-8 也不是 GB18030 文字，请另存为 CSV UTF-8",
                           "{name}: neither UTF-8 nor GB18030 text; save it as CSV UTF-8"),
    # ---- the brief, its channels and the render (pipelines/delivery) ----
    "toml_unreadable": ("{path} 不是可读的 TOML（{err}）；请修正它，或在环境中设置 {name}",
                        "{path} is not readable TOML ({err}); fix it or set {name} in the environment"),
    "channel_webhook_unset": ("频道 {channel}：webhook 地址从环境变量 {name} 读取，"
                              "但它没有设置（.streamlit/secrets.toml 中也没有 {name}）。"
                              "请在运行简报的地方（服务的环境文件）设置，切勿写在仓库的文件里。",
                              "channel {channel}: the webhook URL is read from the environment variable {name}, "
                              "which is not set (nor is {name} in .streamlit/secrets.toml). Set it where the brief "
                              "runs (the service's environment file), never in a file of the repository."),
    "channel_secret_unset": ("频道 {channel}：签名密钥从环境变量 {name} 读取，但它没有设置（.streamlit/secrets.toml "
                             "中也没有 {name}）。请在运行简报的地方（服务的环境文件）设置，切勿写在仓库的文件里。",
                             "channel {channel}: the signing secret is read from the environment variable {name}, "
                             "which is not set (nor is {name} in .streamlit/secrets.toml). Set it where the brief "
                             "runs (the service's environment file), never in a file of the repository."),
    "channel_unknown": ("channels.yaml 中没有频道 {channel!r}（频道：{known}）",
                        "no channel {channel!r} in channels.yaml (channels: {known})"),
    "channel_as_gone": ("频道 {channel}：as: {user} 已不在 access.yaml 中；请在 channels.yaml 中指定另一个人",
                        "channel {channel}: as: {user} is not a person of access.yaml any more; name another person "
                        "in channels.yaml"),
    "nothing_to_brief": ("数据仓库中没有带日期的行：还没有可以简报的内容",
                         "the warehouse holds no dated rows: there is nothing to brief yet"),
    "smtp_unset": ("频道 {channel}：邮件服务器从 {prefix}_HOST（以及 {prefix}_PORT、{prefix}_USER、{prefix}_PASSWORD、"
                   "{prefix}_FROM）读取，但它没有设置",
                   "channel {channel}: the mail server is read from {prefix}_HOST (and {prefix}_PORT, {prefix}_USER, "
                   "{prefix}_PASSWORD, {prefix}_FROM), which is not set"),
    "smtp_port": ("频道 {channel}：{prefix}_PORT 不是端口号", "channel {channel}: {prefix}_PORT is not a port number"),
    "smtp_tls": ("频道 {channel}：{prefix}_TLS 是 {tls!r}：应为 starttls、ssl 或 none",
                 "channel {channel}: {prefix}_TLS is {tls!r}: starttls, ssl or none"),
    "no_channels": ("没有频道：请在 {config} 中写 channels.yaml（见 docs/admin-guide.md「The morning brief」）",
                    "no channels: write channels.yaml in {config} (see docs/admin-guide.md, 'The morning brief')"),
    "send_failed": ("{what} 尝试 {attempts} 次后仍未送达：{detail}",
                    "{what} was not delivered after {attempts} attempts: {detail}"),
    "send_failed_once": ("{what} 未送达：{detail}", "{what} was not delivered after 1 attempt: {detail}"),
    "chromium_missing": ("总览由 Chromium 绘制，但这里没有安装：请安装（Debian/Ubuntu：sudo apt-get install chromium "
                         "fonts-noto-cjk），或在 NORTHSTAR_CHROMIUM 中指定它的程序",
                         "the board is drawn by Chromium, which is not installed here: install it (Debian/Ubuntu: "
                         "sudo apt-get install chromium fonts-noto-cjk) or name its binary in NORTHSTAR_CHROMIUM"),
    "chromium_named_missing": ("总览由 Chromium 绘制，但这里没有安装：请安装（Debian/Ubuntu：sudo apt-get install "
                               "chromium fonts-noto-cjk），或在 NORTHSTAR_CHROMIUM 中指定它的程序（没有找到 {named}）",
                               "the board is drawn by Chromium, which is not installed here: install it "
                               "(Debian/Ubuntu: sudo apt-get install chromium fonts-noto-cjk) or name its binary in "
                               "NORTHSTAR_CHROMIUM ({named} was not found)"),
    "render_server_exited": ("用于绘制的看板服务已退出：\n{log}", "the dashboard server for the render exited:\n{log}"),
    "render_server_silent": ("用于绘制的看板服务在 {seconds:.0f} 秒内没有响应：\n{log}",
                             "the dashboard server for the render did not answer within {seconds:.0f} s:\n{log}"),
    "render_sign_in": ("无法绘制总览：绘制服务要求登录（它的令牌没有被接受）",
                       "the board could not be drawn: the render server asked for a sign-in (its token was not "
                       "accepted)"),
    "render_page_error": ("无法绘制总览：{err}", "the board could not be drawn: {err}"),
    "render_wrong_page": ("无法绘制 {name} 页面：绘制打开了另一个页面",
                          "the {name} page could not be drawn: the render opened another page"),
    "render_too_big": ("总览图片即使在 1× 也有 {mb:.1f} MB，超过聊天机器人的 2 MB 上限",
                       "the board's picture is {mb:.1f} MB even at 1×, over the chat robots' 2 MB"),
    "render_chromium_failed": ("Chromium 无法绘制总览：{err}", "Chromium could not draw the board: {err}"),
    # ---- the plan files (pipelines/plan: org.yaml, goals.yaml, targets.csv, access.yaml) ----
    "plan_problem": ("{items}\n请修正文件后重新运行命令；没有做任何改动。",
                     "{items}\nFix the file(s) and run the command again; nothing was changed."),
    "plan_problems": ("计划有 {n} 个问题：\n  {items}\n请修正文件后重新运行命令；没有做任何改动。",
                      "the plan has {n} problems:\n  {items}\nFix the file(s) and run the command again; nothing was "
                      "changed."),
    "plan_more": ("…… 还有 {n} 个", "… and {n} more"),
    # a problem in a YAML file of the plan folder (pipelines/plan/yamlcheck.py): where, then what
    "yaml_problem": ("{path}{at}{field}：{message}", "{path}{at}{field}: {message}"),
    "yaml_line": ("，第 {line} 行", ", line {line}"),
    "yaml_field": ("，{where}", ", {where}"),
    "yaml_invalid_at": ("不是有效的 YAML（{err}）。请检查这一行的缩进和冒号",
                        "not valid YAML ({err}). Check the indentation and the colons on that line"),
    "yaml_not_utf8": ("不是 UTF-8 文字，请另存为 UTF-8", "not UTF-8 text. Save it as UTF-8"),
    "yaml_key_twice": ("这个键在同一块中出现了两次", "this key appears twice in the same block"),
    "yaml_unknown_key": ("未知字段（应为以下之一：{known}）", "unknown field (expected one of: {known})"),
    "yaml_not_list": ("应为列表：{shape}", "expected a list of {shape}"),
    "yaml_not_block": ("应为一块：{shape}", "expected {shape}"),
    "yaml_missing_id": ("缺少 id", "missing id"),
    "yaml_id_twice": ("{value!r} 出现了两次（第一次在第 {first} 行）",
                      "{value!r} is listed twice (first on line {first})"),
    "yaml_one_of": ("{value}：应为以下之一：{known}", "{value}: expected one of {known}"),
    "yaml_name_empty": ("请给出 zh、en 或两者的名称", "give the name in zh, en or both"),
    "yaml_name_shape": ("名称是文字或 {{zh: …, en: …}}", "a name is text or {{zh: …, en: …}}"),
    # org.yaml (pipelines/plan/org.py)
    "org_shape": ("应为包含 company、war_zones 和 centers 的映射",
                  "expected a mapping with company, war_zones and centers"),
    "org_block": ("应为带 id 的一块，例如 {{id: east, name: 华东战区}}",
                  "expected a block with an id, e.g. {{id: east, name: 华东战区}}"),
    "org_id_chars": ("{value!r}：id 不能包含空格或 '/'（'/' 用于标记未归属节点）",
                     "{value!r}: ids may not contain spaces or '/' ('/' marks unassigned nodes)"),
    "org_team_in_two": ("团队 {id} 在两个战区中：{other}（第 {first} 行）和 {parent}",
                        "team {id} is in two war zones: {other} (line {first}) and {parent}"),
    "org_team_twice": ("团队 {id} 在 {parent} 中出现了两次（另见第 {first} 行）",
                       "team {id} is listed twice in {parent} (also line {first})"),
    "org_person_in_two": ("人员 {id} 在两个团队中：{other}（第 {first} 行）和 {parent}",
                          "person {id} is in two teams: {other} (line {first}) and {parent}"),
    "org_person_twice": ("人员 {id} 在 {parent} 中出现了两次（另见第 {first} 行）",
                         "person {id} is listed twice in {parent} (also line {first})"),
    "org_id_used": ("id {id} 已被{what}使用（第 {first} 行）；id 必须唯一",
                    "id {id} is already used for {what} (line {first}); ids must be unique"),
    "org_level_company": ("公司", "the company"),
    "org_level_war_zone": ("一个战区", "a war zone"),
    "org_level_team": ("一个团队", "a team"),
    "org_level_person": ("一个人员", "a person"),
    "org_level_center": ("一个中台", "a center"),
    "org_level_center_person": ("一名中台人员", "a center's staff"),
    "org_company": ("应为 {{id: company, name: {{zh: …, en: …}}}}", "expected {{id: company, name: {{zh: …, en: …}}}}"),
    "org_not_list": ("应为列表（以 '- ' 开头的行）", "expected a list (lines starting with '- ')"),
    "org_channel_owned": ("渠道 {channel} 已属于中台 {center}（第 {first} 行）；一个渠道只属于一个中台",
                          "channel {channel} is already owned by center {center} (line {first}); a channel belongs "
                          "to one center"),
    # goals.yaml, targets.csv and the key action form (pipelines/plan/goals.py)
    "goals_shape": ("应为包含 north_star、status 和 key_actions 的映射",
                    "expected a mapping with north_star, status and key_actions"),
    "tz_not_name": ("{value!r} 不是时区名：请用 IANA 名称，例如 Asia/Shanghai",
                    "{value!r} is not a time zone name: use an IANA name such as Asia/Shanghai"),
    "tz_unknown": ("{value!r} 不是已知时区：请用 IANA 名称，例如 Asia/Shanghai 或 Asia/Hong_Kong",
                   "{value!r} is not a known time zone: use an IANA name such as Asia/Shanghai or Asia/Hong_Kong"),
    "goals_status_shape": ("应为 {{at_risk: 0.85, stale_days: 7}}", "expected {{at_risk: 0.85, stale_days: 7}}"),
    "calendar_shape": ("calendar 应为一个块：{{public_holidays, events}}",
                       "calendar should be a block: {{public_holidays, events}}"),
    "calendar_past": ("中国的法定节假日和调休只收录到 {year} 年（chinesecalendar），数据已到 {last}："
                      "之后的日子按普通日子算；国务院公布下一年安排后请升级 chinesecalendar",
                      "China's public holidays and make-up workdays are known up to {year} (chinesecalendar) and the "
                      "data runs to {last}: later days count as ordinary days; upgrade chinesecalendar once the State "
                      "Council publishes the next year"),
    "calendar_public": ("{value}：应为 cn（中国的法定节假日和调休）、none（不算节假日）或国家代码，如 GB",
                        "{value}: expected cn (China's public holidays and make-up workdays), none, or a country "
                        "code such as GB"),
    "calendar_when": ("每个日子只用一种写法：date（一天）、from 和 to（一段）或 lunar_new_year（相对春节的天数）",
                      "give one of date (a day), from and to (a range) or lunar_new_year (days from the lunar new "
                      "year)"),
    "calendar_lunar": ("{value}：应为相对春节的一天或两天之间，如 -20 或 [-20, -8]（−60 到 60）",
                       "{value}: expected a day or two from the lunar new year, such as -20 or [-20, -8] (−60 to 60)"),
    "calendar_dates": ("{start} 到 {end}：应为日期（2026-03-08）或每年的月-日（05-20），且起不晚于止",
                       "{start} to {end}: expected dates (2026-03-08) or a day every year (05-20), the first not "
                       "after the last"),
    "goals_basis": ("{value!r}：应为 linear（按贯穿全月的直线判断节奏）或 seasonal（按公司往年的本月形状判断）",
                    "{value!r}: linear (pace against a straight line through the month) or seasonal (against the "
                    "month's shape in the company's own history)"),
    "goals_stale_days": ("{value!r} 超出范围：检查在 1 到 90 之间的整数天后过期，例如 7",
                         "{value!r} is out of range: a check-in goes stale after a whole number of days between 1 "
                         "and 90, e.g. 7"),
    "goals_at_risk": ("{value!r} 超出范围：风险阈值是节奏的比例，在 0 和 1 之间，例如 0.85",
                      "{value!r} is out of range: the at-risk threshold is a share of the pace between 0 and 1, e.g. "
                      "0.85"),
    "goals_actions_list": ("应为关键要务的列表", "expected a list of key actions"),
    "goals_ns_shape": ("应包含 title、start、end 和 targets", "expected title, start, end and targets"),
    "goals_ns_date": ("{value!r} 不是日期：请用 YYYY-MM-DD", "{value!r} is not a date: use YYYY-MM-DD"),
    "goals_ns_end": ("结束 {end} 不晚于开始 {start}", "the end {end} is not after the start {start}"),
    "goals_ns_targets": ("应为 {{stations: 20000, members: 10000000}}",
                         "expected {{stations: 20000, members: 10000000}}"),
    "goals_positive": ("{value!r} 不是正数", "{value!r} is not a positive number"),
    "goals_milestones_list": ("应为列表：{{by: YYYY-MM-DD, stations: N, members: N}}",
                              "expected a list of {{by: YYYY-MM-DD, stations: N, members: N}}"),
    "goals_milestone_block": ("应为 {{by: YYYY-MM-DD, stations: N, members: N}}",
                              "expected {{by: YYYY-MM-DD, stations: N, members: N}}"),
    "goals_milestone_by": ("{value!r}：应为北极星开始（{start}）之后、结束（{end}）之前的日期",
                           "{value!r}: a date after the north star's start ({start}) and by its end ({end})"),
    "goals_milestone_order": ("{by} 不晚于上一个里程碑（{last}）",
                              "{by} is not after the milestone before it ({last})"),
    "goals_milestone_value": ("{value!r} 不是不超过目标 {goal:,.0f} 的正数",
                              "{value!r} is not a positive number up to the goal's {goal:,.0f}"),
    "goals_month": ("{value!r} 不是月份：请用 YYYY-MM，例如 2026-11",
                    "{value!r} is not a month: use YYYY-MM, e.g. 2026-11"),
    "goals_unknown_goal": ("未知的目标 {value!r}（已知：{known}）", "unknown goal {value!r} (known: {known})"),
    "goals_unknown_zone": ("未知的战区 {value!r}（已知：{known}）", "unknown war zone {value!r} (known: {known})"),
    "goals_action_twice": ("关键要务 {value} 定义了两次（另见第 {first} 行）",
                           "key action {value} is defined twice (also line {first})"),
    "goals_result_twice": ("关键结果 {value} 定义了两次（另见第 {first} 行）",
                           "key result {value} is defined twice (also line {first})"),
    "goals_action_block": ("应为关键要务的一块，包含 id、center、title、key_results",
                           "expected a key action block with id, center, title, key_results"),
    "goals_unknown_center": ("未知的中台 {value!r}（已知：{known}）", "unknown center {value!r} (known: {known})"),
    "goals_unknown_owner": ("未知的人员 {value!r}：请把他加入 org.yaml",
                            "unknown person {value!r}: add them to org.yaml"),
    "goals_results_list": ("应为关键结果的列表", "expected a list of key results"),
    "goals_result_block": ("应为关键结果的一块，包含 id、title、target",
                           "expected a key result block with id, title, target"),
    "goals_result_target": ("{value!r} 不是 ≥ 0 的数", "{value!r} is not a number ≥ 0"),
    "goals_unknown_metric": ("未知的指标 {value!r}（已知：{known}）", "unknown metric {value!r} (known: {known})"),
    "goals_filters_shape": ("应为 {{war_zone: …}} 形式的筛选", "expected {{war_zone: …}} style filters"),
    "goals_filter_key": ("{metric} 不能按 {dim} 筛选（可以按：{known}）",
                         "{metric} cannot be filtered by {dim} (it can by: {known})"),
    "goals_filter_value": ("未知的{what} {value!r}", "unknown {what} {value!r}"),
    "word_company": ("公司", "company"),
    "word_war_zone": ("战区", "war zone"),
    "word_team": ("团队", "team"),
    "word_person": ("人员", "person"),
    "word_center": ("中台", "center"),

    "target_share": ("{metric} 是比例：目标是 0 到 1 之间的小数（50 % 写 0.5），不是 {target}",
                     "{metric} is a share: its target is a fraction between 0 and 1 (0.5 for 50 %), not {target}"),
    "target_above_zero": ("{metric} 是{measure}：目标必须大于 0，不是 {target}",
                          "{metric} is a {measure}: its target must be above 0, not {target}"),
    "target_lower_better": ("{metric} 越低越好：目标 {target} 永远无法评估，请给出大于 0 的目标",
                            "lower is better for {metric}: a target of {target} can never be judged; give one above 0"),
    "form_problem": ("{where}：{message}", "{where}: {message}"),
    "form_title": ("请给要务一个标题（zh、en 或两者）", "give the action a title (zh, en or both)"),
    "form_months": ("请给出要务进行的月份，例如 2026-11", "give the month(s) the action runs, e.g. 2026-11"),
    "form_results": ("请至少给出一个关键结果", "give at least one key result"),
    "form_result_title": ("请给关键结果一个标题", "give the key result a title"),
    "form_result_taken": ("关键结果 {result} 已属于关键要务 {action}",
                          "key result {result} belongs to key action {action} already"),
    "targets_missing_column": ("缺少列 {columns}（表头必须包含 {needed}）",
                               "missing column {columns} (the header must name {needed})"),
    "targets_missing_columns": ("缺少列 {columns}（表头必须包含 {needed}）",
                                "missing columns {columns} (the header must name {needed})"),
    "targets_level": ("{value!r} 不是层级（可用：{known}）", "{value!r} is not a level (use one of: {known})"),
    "targets_node_elsewhere": ("未知的{what} {node!r}；{node} 是{other} —— 请改正层级",
                               "unknown {what} {node!r}; {node} is {other} — fix the level"),
    "targets_node_unknown": ("org.yaml 中没有{what} {node!r}（已知的{what}：{known}）",
                             "unknown {what} {node!r} in org.yaml (known {what}s: {known})"),
    "targets_node_none": ("未知的{what} {node!r}（org.yaml 中没有）", "unknown {what} {node!r} (org.yaml has none)"),
    "targets_metric": ("{value!r} 不是目标指标（请用 stations 或 members）",
                       "{value!r} is not a goal metric (use stations or members)"),
    "targets_center_members": ("中台只设会员目标（中台视图分解会员）",
                               "centers hold member targets only (the center view splits members)"),
    "targets_not_number": ("{value!r} 不是数字", "{value!r} is not a number"),
    "targets_negative": ("{value} 是负数；目标是 ≥ 0 的数量", "{value} is negative; targets are counts ≥ 0"),
    "targets_duplicate": ("{month} 中 {node} {metric} 的目标重复（另见第 {first} 行）；请只保留一行",
                          "duplicate target for {node} {metric} in {month} (also line {first}); keep one row"),
    # sources.yaml (pipelines/warehouse/sources.py)
    "sources_shape": ("应为 `sources:` 加上数据源的列表", "expected `sources:` with a list of sources"),
    "sources_id": ("{value!r}：请用小写字母、数字和 _（它用于命名原始文件）",
                   "{value!r}: use lower-case letters, digits and _ (it names the raw files)"),
    "sources_engine": ("{value!r}：应为 {known} 之一（MariaDB 也用 mysql）",
                       "{value!r}: use one of {known} (mysql for MariaDB too)"),
    "sources_url_env": ("请写出存放连接串的环境变量名（例如 NORTHSTAR_ERP_URL）；切勿在这里写连接串",
                        "name the environment variable that holds the connection string (e.g. NORTHSTAR_ERP_URL); "
                        "never write the connection string here"),
    "sources_tables": ("应为以下一个或多个：{known}", "expected one or more of {known}"),
    "sources_table_unknown": ("{value!r} 不是数据约定中的表（{known}）",
                              "{value!r} is not a table of the contract ({known})"),
    "sources_table_shape": ("应为 from:/query:、columns: 和 watermark:",
                            "expected from:/query:, columns: and watermark:"),
    "sources_from_or_query": ("请给出 from:（一张表）或 query:（一个 select）之一，不能两者都有或都没有",
                              "give either from: (a table) or query: (a select), not both or neither"),
    "sources_table_name": ("{value!r} 不是列名或表名（字母、数字和 _，schema.table）",
                           "{value!r} is not a column or table name (letters, digits and _, schema.table)"),
    "sources_column_name": ("{value!r} 不是列名或表名（字母、数字和 _，不含空格或引号）",
                            "{value!r} is not a column or table name (letters, digits and _, no spaces or quotes)"),
    "sources_query": ("查询应以 select 或 with 开头", "a query starts with select or with"),
    "sources_columns_shape": ("应为 约定列: 源列", "expected contract column: source column"),
    "sources_column_unknown": ("{value!r} 不是 {table} 的列（{known}）",
                               "{value!r} is not a column of {table} ({known})"),
    "sources_watermark": ("缺少 watermark:（一列，每一行新增或修改时都会增大，例如 updated_at；编号只能发现新行）",
                          "watermark: missing (a column that grows with every new or changed row, e.g. updated_at; "
                          "an id only finds new rows)"),
    # access.yaml (pipelines/plan/access.py)
    "access_shape": ("应包含 auth: 和 users:（见 docs/admin-guide.md「Who sees what」）",
                     "expected auth: and users: (see docs/admin-guide.md, 'Who sees what')"),
    "access_user_id": ("缺少 id（登录名，或身份提供方的邮箱）",
                       "missing id (the sign-in name, or the identity provider's email)"),
    "access_zone_needed": ("区长需要他负责的战区，应为 org.yaml 中的：{known}",
                           "a zone lead needs the war zone they lead, one of org.yaml's: {known}"),
    "access_center_needed": ("中台负责人需要他负责的中台，应为 org.yaml 中的：{known}",
                             "a center lead needs the center they lead, one of org.yaml's: {known}"),
    "access_zone_only_lead": ("只有 zone_lead 才有战区（这里是 {role}）",
                              "only a zone_lead has a war zone (this is {role})"),
    "access_center_only_lead": ("只有 center_lead 才有中台（这里是 {role}）",
                                "only a center_lead has a center (this is {role})"),
    "access_pii_bool": ("{value!r}：应为 true 或 false", "{value!r}: true or false"),
    "access_pii_analyst": ("分析师永远看不到个人数据：请删除 pii: true",
                           "an analyst never sees personal data: remove pii: true"),
    "access_oidc_shape": ("应为 {{user_id_claim: email, role_claim: …}}",
                          "expected {{user_id_claim: email, role_claim: …}}"),
    "access_admin_needed": ("密码登录需要用户中至少有一名管理员",
                            "password sign-in needs at least one admin among the users"),
    "access_number": ("{value!r} 不是 ≥ {low} 的数", "{value!r} is not a number ≥ {low}"),
    # channels.yaml (pipelines/delivery/channels.py)
    "channels_shape": ("应包含 base_url: 和 channels:（见 docs/admin-guide.md「The morning brief」）",
                       "expected base_url: and channels: (see docs/admin-guide.md, 'The morning brief')"),
    "channels_base_url": ("{value!r}：总览的地址，http(s)://…", "{value!r}: the board's address, http(s)://…"),
    "channel_id": ("缺少 id（`brief --channel ID` 用的名字）", "missing id (what `brief --channel ID` names)"),
    "channel_lang": ("{value!r}：应为 zh 或 en", "{value!r}: zh or en"),
    "channel_as_unknown": ("{value!r} 不在 access.yaml 中：简报按这个人看到的样子绘制",
                           "{value!r} is not a person of access.yaml: the brief is rendered as this person sees it"),
    "channel_as_needed": ("登录已开启（auth: {auth}），频道需要指明按谁的视图：as: access.yaml "
                          "中的一个人（区长的群收到区长的总览）",
                          "with sign-in on (auth: {auth}), a channel names whose view it gets: as: a person of "
                          "access.yaml (a zone lead's group gets the zone lead's board)"),
    "channel_env_name": ("环境变量的名字（大写字母、数字和 _），例如 NS_WECOM_HQ",
                         "the name of an environment variable (capitals, digits, _), e.g. NS_WECOM_HQ"),
    "channel_env_value": ("环境变量的名字（大写字母、数字和 _），例如 NS_WECOM_HQ —— 这看起来是地址或密钥本身："
                          "请把它放进环境变量，在这里写变量名",
                          "the name of an environment variable (capitals, digits, _), e.g. NS_WECOM_HQ — this looks "
                          "like the URL or the secret itself: put it in an environment variable and name the "
                          "variable here"),
    "channel_webhook_needed": ("{kind} 频道需要 webhook_env：存放机器人 webhook 地址的变量",
                               "a {kind} channel needs webhook_env: the variable holding its robot's webhook URL"),
    "channel_smtp_needed": ("邮件频道需要 smtp_env：存放邮件服务器的变量前缀（NS_SMTP → NS_SMTP_HOST、NS_SMTP_PORT、"
                            "NS_SMTP_USER、NS_SMTP_PASSWORD）",
                            "an email channel needs smtp_env: the prefix of the variables holding the server "
                            "(NS_SMTP → NS_SMTP_HOST, NS_SMTP_PORT, NS_SMTP_USER, NS_SMTP_PASSWORD)"),
    "channel_to_needed": ("邮件频道需要 to: [地址]", "an email channel needs to: [addresses]"),
    # ---- the command line (pipelines/cli.py) ----
    "source_unknown": ("{config}/sources.yaml 中没有数据源 {source!r}（数据源：{known}）",
                       "no source {source!r} in {config}/sources.yaml (sources: {known})"),
    "source_no_table": ("sources.yaml 中数据源 {source} 没有表 {table}",
                        "source {source} has no table {table} in sources.yaml"),
    "refresh_stopped": ("刷新在{step}时停止：{err}（之前的数据仓库继续使用）",
                        "refresh stopped while {step}: {err} (the previous warehouse keeps serving)"),
    "refresh_stopped_first": ("刷新在{step}时停止：{err}（还没有数据仓库）",
                              "refresh stopped while {step}: {err} (there is no warehouse yet)"),
    "no_such_file": ("没有这个文件：{files}", "no such file: {files}"),
    "plan_folder_missing": ("计划文件夹 {config} 不存在；请用 --config 或 NORTHSTAR_CONFIG 指向存放 org.yaml、"
                            "goals.yaml 和 targets.csv 的文件夹。",
                            "plan folder {config} does not exist; point --config or NORTHSTAR_CONFIG at the folder "
                            "holding org.yaml, goals.yaml and targets.csv."),
    "store_missing_or_import": ("{path} 没有计划存储：请先构建数据仓库（python -m pipelines build）或导入计划（python "
                                "-m pipelines plan import）。",
                                "no plan store at {path}: build the warehouse (python -m pipelines build) or import "
                                "a plan (python -m pipelines plan import) first."),
    "store_missing": ("{path} 没有计划存储：请先构建数据仓库（python -m pipelines build）。",
                      "no plan store at {path}: build the warehouse first (python -m pipelines build)."),
    "store_missing_access": ("{path} 没有计划存储：请先构建数据仓库（python -m pipelines build），"
                             "它会从计划文件夹导入 access.yaml。",
                             "no plan store at {path}: build the warehouse (python -m pipelines build) first; it "
                             "imports access.yaml from the plan folder."),
    "as_unknown": ("--as {user_id}：access.yaml 中没有这个人（已列出：{listed}）。请把他加入计划文件夹中的 "
                   "access.yaml，然后重新构建（或 `plan import`）。",
                   "--as {user_id}: no such person in access.yaml (listed: {listed}). Add them to access.yaml in the "
                   "plan folder and build (or `plan import`) again."),
    "xlsx_to_terminal": ("Excel 文件不能输出到终端：请加上 --out tree.xlsx（或重定向：> tree.xlsx）",
                         "an Excel file is not for the terminal: add --out tree.xlsx (or redirect: > tree.xlsx)"),
    "no_terminal": ("没有可以询问密码的终端：请用 --password-stdin 从管道输入",
                    "no terminal to ask for the password: pipe it in with --password-stdin"),
    "passwords_differ": ("两次输入的密码不同；没有做任何改动", "the two passwords differ; nothing was changed"),
    "user_not_listed": ("{user} 不在 access.yaml 中：请先加进去（id、name、role），构建或 `plan import` 后再创建账号。",
                        "{user} is not in access.yaml: add them there (id, name, role), build or `plan import`, then "
                        "make the account."),
    "user_not_bound": ("{user} 没有绑定身份提供方的账号：无需解除绑定。",
                       "{user} is not bound to an identity provider account: nothing to unbind."),
}
