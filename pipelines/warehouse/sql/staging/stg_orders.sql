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
            when order_id is null then {'code': 'missing_id', 'detail': 'empty', 'args': ['order_id']}
            when member_id is null then {'code': 'missing_value', 'detail': 'empty', 'args': ['member_id']}
            when ordered_at_text is null then {'code': 'missing_value', 'detail': 'empty', 'args': ['ordered_at']}
            when ordered_at is null then {'code': 'bad_date', 'detail': 'not_a_datetime', 'args': ['ordered_at', ordered_at_text::varchar]}
            when amount_text is null then {'code': 'missing_value', 'detail': 'empty', 'args': ['amount']}
            when amount is null and amount_text like '%,%' then {'code': 'bad_amount', 'detail': 'comma', 'args': ['amount', amount_text]}
            when amount is null then {'code': 'bad_amount', 'detail': 'not_a_number', 'args': ['amount', amount_text]}
            when amount > max_amount() then {'code': 'bad_amount', 'detail': 'order_too_large', 'args': ['amount', amount_text, max_amount()::varchar]}
            when amount < 0 then {'code': 'bad_amount', 'detail': 'negative', 'args': ['amount', amount_text]}
            when amount = 0 then {'code': 'bad_amount', 'detail': 'zero_amount', 'args': []::varchar[]}
            when status is null then {'code': 'missing_value', 'detail': 'empty', 'args': ['status']}
            when status not in ('paid', 'refunded', 'cancelled') then {'code': 'bad_status', 'detail': 'bad_status', 'args': [status]}
            when ordered_at::date > as_of() then {'code': 'future_date', 'detail': 'after_as_of', 'args': ['ordered_at', ordered_at::varchar, as_of()::varchar]}
        end as problem,
    from typed
)

select * exclude (problem), problem.code as reason_code, problem.detail as detail_code, problem.args as detail_args,
    reject_detail(problem.detail, problem.args) as reason
from final
