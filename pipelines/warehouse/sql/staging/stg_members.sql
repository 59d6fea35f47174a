-- One row per raw members row: typed columns and the first per-row problem, if any (no joins here).
create or replace temp table stg_members as
with land as (
    select * from land_members
),

typed as (
    select
        _file_id,
        _line,
        member_id,
        station_id,
        joined_on as joined_on_text,
        parse_date(joined_on) as joined_on,
        tier,
        fee as fee_text,
        parse_amount(fee) as fee,
        channel,
        referrer_id,
        refunded_on as refunded_on_text,
        parse_date(refunded_on) as refunded_on,
        phone,
    from land
),

final as (
    select
        *,
        case
            when member_id is null then {'code': 'missing_id', 'detail': 'empty', 'args': ['member_id']}
            when station_id is null then {'code': 'missing_value', 'detail': 'empty', 'args': ['station_id']}
            when joined_on_text is null then {'code': 'missing_value', 'detail': 'empty', 'args': ['joined_on']}
            when joined_on is null then {'code': 'bad_date', 'detail': 'not_a_date', 'args': ['joined_on', joined_on_text::varchar]}
            when refunded_on is null and refunded_on_text is not null then {'code': 'bad_date', 'detail': 'not_a_date', 'args': ['refunded_on', refunded_on_text::varchar]}
            when fee is null and fee_text like '%,%' then {'code': 'bad_amount', 'detail': 'comma', 'args': ['fee', fee_text]}
            when fee is null and fee_text is not null then {'code': 'bad_amount', 'detail': 'not_a_number', 'args': ['fee', fee_text]}
            when fee > max_amount() then {'code': 'bad_amount', 'detail': 'fee_too_large', 'args': ['fee', fee_text, max_amount()::varchar]}
            when fee < 0 then {'code': 'bad_amount', 'detail': 'negative', 'args': ['fee', fee_text]}
            when joined_on > as_of() then {'code': 'future_date', 'detail': 'after_as_of', 'args': ['joined_on', joined_on::varchar, as_of()::varchar]}
            when refunded_on > as_of() then {'code': 'future_date', 'detail': 'after_as_of', 'args': ['refunded_on', refunded_on::varchar, as_of()::varchar]}
            when refunded_on < joined_on then {'code': 'refunded_before_joined', 'detail': 'before', 'args': ['refunded_on', refunded_on::varchar, 'joined_on', joined_on::varchar]}
        end as problem,
    from typed
)

select * exclude (problem), problem.code as reason_code, problem.detail as detail_code, problem.args as detail_args,
    reject_detail(problem.detail, problem.args) as reason
from final
