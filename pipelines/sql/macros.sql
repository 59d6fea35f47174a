-- Parsing rules shared by the staging models. Text that does not parse gives null (and the row a reason).
create or replace temp macro parse_date(x) as coalesce(
    try_cast(x as date),
    try_strptime(x, ['%Y/%m/%d', '%Y.%m.%d', '%Y%m%d'])::date,
    try_cast(try_cast(x as timestamp) as date),
    try_strptime(x, ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M'])::date
);
create or replace temp macro parse_ts(x) as coalesce(
    try_cast(x as timestamp),
    try_strptime(x, ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y.%m.%d %H:%M:%S'])
);
-- Amounts may carry a currency sign or thousands separators, as spreadsheets export them.
create or replace temp macro parse_amount(x) as
    try_cast(replace(replace(replace(x, ',', ''), '¥', ''), '￥', '') as decimal(18, 2));
create or replace temp macro as_of() as getvariable('as_of')::date;
