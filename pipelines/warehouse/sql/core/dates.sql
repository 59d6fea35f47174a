-- The data's last date (the marts run to it; the as-of when there is no dated row) and the first date any row of
-- this run touches (the marts recompute from there on: every date in a full build, the day after the last
-- when nothing new is dated).
set variable last_date = coalesce((
select max(d) from (
    select max(greatest(signed_on, coalesce(opened_on, signed_on), coalesce(closed_on, signed_on))) as d from stations
    union all select max(greatest(joined_on, coalesce(refunded_on, joined_on))) from members
    union all select max(ordered_at)::date from orders
)
), getvariable('as_of'))::date;
set variable since = coalesce((
select min(d) from (
    select min(signed_on) as d from stations semi join added_files as f on f.file_id = stations._file_id
    union all select min(opened_on) from stations semi join added_files as f on f.file_id = stations._file_id
    union all select min(closed_on) from stations semi join added_files as f on f.file_id = stations._file_id
    union all select min(joined_on) from members semi join added_files as f on f.file_id = members._file_id
    union all select min(refunded_on) from members semi join added_files as f on f.file_id = members._file_id
    union all select min(ordered_at)::date from orders semi join added_files as f on f.file_id = orders._file_id
    union all select getvariable('changes_since')      -- changed rows of earlier files (core/changes.sql)
)
), getvariable('last_date')::date + 1)::date;
-- The members whose per-member marts (cohort_members, member_activity) an incremental refresh recomputes: those of
-- this run's new member files, those this run's new orders belong to, and those of changed rows (core/changes.sql).
-- Empty in a full build, which computes every member.
create or replace temp table touched_members as
select member_id from members
where getvariable('incremental') and _file_id in (select file_id from added_files)
union
select member_id from orders
where getvariable('incremental') and _file_id in (select file_id from added_files)
union
select member_id from changed_members where getvariable('incremental');

-- The members loaded for the first time by an incremental refresh (their nodes and referral chains are new): those
-- of new files, and changed lines rejected last time that load now. Empty in a full build.
create or replace temp table new_members as
select member_id from members
where getvariable('incremental')
  and (_file_id in (select file_id from added_files) or member_id in (select member_id from reloaded_members));
