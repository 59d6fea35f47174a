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
-- Amounts may carry a currency sign or thousands separators, as spreadsheets export them. A comma is read only as a
-- thousands separator between groups of three digits (1,234.50): "1.234,50" or "12,50" (a decimal comma) gives null,
-- so the row is rejected with a reason instead of loading 100 times too much or too little.
create or replace temp macro amount_text(x) as trim(replace(replace(x, '¥', ''), '￥', ''));
create or replace temp macro parse_amount(x) as case
    when regexp_full_match(amount_text(x), '[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?')
    then try_cast(replace(amount_text(x), ',', '') as decimal(18, 2))
end;
-- The most one order, or one membership fee, may be: larger is a typo or a unit mistake, rejected with a reason
-- (and no sum of loaded amounts can overflow).
create or replace temp macro max_amount() as 100000000;
create or replace temp macro as_of() as getvariable('as_of')::date;
