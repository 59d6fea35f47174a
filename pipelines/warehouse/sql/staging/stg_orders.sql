-- One row per raw orders row: typed columns and the first per-row problem, if any (no joins here).
-- A view, not a table: at 100M orders, keeping every row's text beside its typed values is what made the build
-- spill gigabytes. core/orders.sql reads it once for the loaded rows and again only when some row was rejected.
create or replace temp view stg_orders as
with land as (
    select * from land_orders
),

typed as (
    select
        _file_id,
        _line,
        order_id,
        member_id,
        ordered_at as ordered_at_text,
        parse_ts(ordered_at) as ordered_at,
        amount as amount_text,
        parse_amount(amount) as amount,
        status as status_text,
        lower(status) as status,
        category,
    from land
),

final as (
    select
        *,
        case
            when order_id is null then {'code': 'missing_id', 'detail': 'order_id is empty'}
            when member_id is null then {'code': 'missing_value', 'detail': 'member_id is empty'}
            when ordered_at_text is null then {'code': 'missing_value', 'detail': 'ordered_at is empty'}
            when ordered_at is null then {'code': 'bad_date', 'detail': format('ordered_at "{}" is not a date and time (use YYYY-MM-DD HH:MM:SS)', ordered_at_text)}
            when amount_text is null then {'code': 'missing_value', 'detail': 'amount is empty'}
            when amount is null and amount_text like '%,%' then {'code': 'bad_amount', 'detail': format('amount "{}" has a comma that is not a thousands separator (write 1234.50 or 1,234.50)', amount_text)}
            when amount is null then {'code': 'bad_amount', 'detail': format('amount "{}" is not a number', amount_text)}
            when amount > max_amount() then {'code': 'bad_amount', 'detail': format('amount "{}" is more than {}, the most one order may be', amount_text, max_amount())}
            when amount < 0 then {'code': 'bad_amount', 'detail': format('amount "{}" is negative', amount_text)}
            when amount = 0 then {'code': 'bad_amount', 'detail': 'amount is 0; an order amount must be greater than 0'}
            when status is null then {'code': 'missing_value', 'detail': 'status is empty'}
            when status not in ('paid', 'refunded', 'cancelled') then {'code': 'bad_status', 'detail': format('status "{}" is not one of paid, refunded, cancelled', status)}
            when ordered_at::date > as_of() then {'code': 'future_date', 'detail': format('ordered_at {} is after the data''s as-of date {}', ordered_at, as_of())}
        end as problem,
    from typed
)

select * exclude (problem), problem.code as reason_code, problem.detail as reason from final
