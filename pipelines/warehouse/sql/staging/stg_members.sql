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
            when member_id is null then {'code': 'missing_id', 'detail': 'member_id is empty'}
            when station_id is null then {'code': 'missing_value', 'detail': 'station_id is empty'}
            when joined_on_text is null then {'code': 'missing_value', 'detail': 'joined_on is empty'}
            when joined_on is null then {'code': 'bad_date', 'detail': format('joined_on "{}" is not a date (use YYYY-MM-DD)', joined_on_text)}
            when refunded_on is null and refunded_on_text is not null then {'code': 'bad_date', 'detail': format('refunded_on "{}" is not a date (use YYYY-MM-DD)', refunded_on_text)}
            when fee is null and fee_text like '%,%' then {'code': 'bad_amount', 'detail': format('fee "{}" has a comma that is not a thousands separator (write 1234.50 or 1,234.50)', fee_text)}
            when fee is null and fee_text is not null then {'code': 'bad_amount', 'detail': format('fee "{}" is not a number', fee_text)}
            when fee > max_amount() then {'code': 'bad_amount', 'detail': format('fee "{}" is more than {}, the most one fee may be', fee_text, max_amount())}
            when fee < 0 then {'code': 'bad_amount', 'detail': format('fee "{}" is negative', fee_text)}
            when joined_on > as_of() then {'code': 'future_date', 'detail': format('joined_on {} is after the data''s as-of date {}', joined_on, as_of())}
            when refunded_on > as_of() then {'code': 'future_date', 'detail': format('refunded_on {} is after the data''s as-of date {}', refunded_on, as_of())}
            when refunded_on < joined_on then {'code': 'refunded_before_joined', 'detail': format('refunded_on {} is before joined_on {}', refunded_on, joined_on)}
        end as problem,
    from typed
)

select * exclude (problem), problem.code as reason_code, problem.detail as reason from final
