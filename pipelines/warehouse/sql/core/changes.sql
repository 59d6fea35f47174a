-- A raw file the last build read that has changed since (`changed_files`: a pull wrote a refund, a closing or a
-- changed order into the row it held, at its line; docs/admin-guide.md "Incremental refresh"), compared line by
-- line with the rows the last build loaded from it. Only the lines that differ are loaded again: their old rows
-- are taken out here (kept in changed_*_before for the marts), and the staged rows of the other lines are hidden
-- from the core models, which then append the changed lines as they append a new file's rows. Lines that were not
-- loaded last time (rejected) are read again too, so their rejects are worked out afresh. build.py runs this model
-- only when a file changed; otherwise changed_keys, changed_members and reloaded_members stay empty and
-- changes_since null.
--
-- What may change in place is what a refresh can apply without looking at the other tables: a station's name,
-- city and dates, a member's refund date, tier, fee and phone, an order's status, amount and category. Anything
-- else (an id, a station's war zone, team, owner or province, a member's station, joining date, channel or
-- referrer, an order's member or time, a loaded row that became unreadable, lines taken out of a file, a line
-- loaded now whose id a later file holds) moves rows between nodes, cohorts or files: `changes_need_full` says
-- which, and the build starts again as a full one.
create or replace temp table changed_station_lines as
select s._file_id, s._line, s.reason_code, t._line is not null as was_loaded,
    t.station_id is distinct from s.station_id or t.war_zone is distinct from s.war_zone
        or t.team is distinct from s.team or t.owner is distinct from s.owner
        or t.province is distinct from s.province as moves,
    least(case when t.signed_on is distinct from s.signed_on then least(t.signed_on, s.signed_on) end,
          case when t.opened_on is distinct from s.opened_on then least(t.opened_on, s.opened_on) end,
          case when t.closed_on is distinct from s.closed_on then least(t.closed_on, s.closed_on) end) as since,
    s.station_id
from stg_stations as s
left join stations as t on t._file_id = s._file_id and t._line = s._line
where s._file_id in (select file_id from changed_files)
  and (t._line is null or s.reason_code is not null
       or t.station_id is distinct from s.station_id or t.name is distinct from s.name
       or t.war_zone is distinct from s.war_zone or t.team is distinct from s.team
       or t.owner is distinct from s.owner or t.province is distinct from s.province
       or t.city is distinct from s.city or t.signed_on is distinct from s.signed_on
       or t.opened_on is distinct from s.opened_on or t.closed_on is distinct from s.closed_on);

create or replace temp table changed_member_lines as
select s._file_id, s._line, s.reason_code, t._line is not null as was_loaded,
    t.member_id is distinct from s.member_id or t.station_id is distinct from s.station_id
        or t.joined_on is distinct from s.joined_on or t.channel is distinct from s.channel
        or t.referrer_id is distinct from s.referrer_id as moves,
    case when t.refunded_on is distinct from s.refunded_on then t.joined_on end as since,
    s.member_id
from stg_members as s
left join members as t on t._file_id = s._file_id and t._line = s._line
where s._file_id in (select file_id from changed_files)
  and (t._line is null or s.reason_code is not null
       or t.member_id is distinct from s.member_id or t.station_id is distinct from s.station_id
       or t.joined_on is distinct from s.joined_on or t.tier is distinct from s.tier or t.fee is distinct from s.fee
       or t.channel is distinct from s.channel or t.referrer_id is distinct from s.referrer_id
       or t.refunded_on is distinct from s.refunded_on or t.phone is distinct from s.phone);

create or replace temp table changed_order_lines as
select s._file_id, s._line, s.reason_code, t._line is not null as was_loaded,
    t.order_id is distinct from s.order_id or t.member_id is distinct from s.member_id
        or t.ordered_at is distinct from s.ordered_at as moves,
    coalesce(t.ordered_at, s.ordered_at)::date as since,
    s.order_id, coalesce(t.member_id, s.member_id) as member_id
from stg_orders as s
left join (select * from orders where _file_id in (select file_id from changed_files)) as t
    on t._file_id = s._file_id and t._line = s._line
where s._file_id in (select file_id from changed_files)
  and (t._line is null or s.reason_code is not null
       or t.order_id is distinct from s.order_id or t.member_id is distinct from s.member_id
       or t.ordered_at is distinct from s.ordered_at or t.amount is distinct from s.amount
       or t.status is distinct from s.status or t.category is distinct from s.category);

-- Why this refresh cannot apply the changes in place (null: it can).
set variable changes_need_full = (
    with lines as (
        select 'stations' as table_name, _file_id, _line, reason_code, was_loaded, moves, station_id as id
        from changed_station_lines
        union all
        select 'members', _file_id, _line, reason_code, was_loaded, moves, member_id from changed_member_lines
        union all
        select 'orders', _file_id, _line, reason_code, was_loaded, moves, order_id from changed_order_lines
    ),

    held as (         -- the lines of a changed file the last build knew of, loaded or rejected
        select 'stations' as table_name, _file_id, max(_line) as last_line from stations
        where _file_id in (select file_id from changed_files) group by all
        union all
        select 'members', _file_id, max(_line) from members
        where _file_id in (select file_id from changed_files) group by all
        union all
        select 'orders', _file_id, max(_line) from orders
        where _file_id in (select file_id from changed_files) group by all
        union all
        select r.table_name, f.file_id, max(r.line) from rejects as r
        join sources as f on f.file_name = r.source_file and f.table_name = r.table_name
        where f.file_id in (select file_id from changed_files) group by all

    ),

    now_read as (
        select 'stations' as table_name, _file_id, max(_line) as last_line from stg_stations
        where _file_id in (select file_id from changed_files) group by all
        union all
        select 'members', _file_id, max(_line) from stg_members
        where _file_id in (select file_id from changed_files) group by all
        union all
        select 'orders', _file_id, max(_line) from stg_orders
        where _file_id in (select file_id from changed_files) group by all
        union all
        select table_name, _file_id, max(_line) from early_rejects
        where _file_id in (select file_id from changed_files) group by all
    ),

    later as (        -- a line loaded now (rejected before) whose id a later line already holds
        select l.table_name, l._file_id, l._line from lines as l
        join stations as t on l.table_name = 'stations' and t.station_id = l.id
        where not l.was_loaded and l.reason_code is null and (t._file_id, t._line) > (l._file_id, l._line)
        union all
        select l.table_name, l._file_id, l._line from lines as l
        join members as t on l.table_name = 'members' and t.member_id = l.id
        where not l.was_loaded and l.reason_code is null and (t._file_id, t._line) > (l._file_id, l._line)
        union all
        select l.table_name, l._file_id, l._line from lines as l
        join orders as t on l.table_name = 'orders' and t.order_id = l.id
        where not l.was_loaded and l.reason_code is null and (t._file_id, t._line) > (l._file_id, l._line)
    ),

    reasons as (
        select 1 as o, l._file_id, l._line,
            'line ' || l._line || ' of ' || f.file_name || ' changed its id or what it belongs to' as why
        from lines as l join sources as f on f.file_id = l._file_id
        where l.was_loaded and l.moves
        union all
        select 2, l._file_id, l._line, 'line ' || l._line || ' of ' || f.file_name || ' was loaded and cannot be read now'
        from lines as l join sources as f on f.file_id = l._file_id
        where l.was_loaded and l.reason_code is not null
        union all
        select 3, h._file_id, 0, 'lines were taken out of ' || f.file_name
        from held as h join sources as f on f.file_id = h._file_id
        left join now_read as n on n.table_name = h.table_name and n._file_id = h._file_id
        where coalesce(n.last_line, 0) < h.last_line
        union all
        select 4, l._file_id, l._line, 'line ' || l._line || ' of ' || f.file_name || ' loads now, and a later row has its id'
        from later as l join sources as f on f.file_id = l._file_id
    )

    select min_by(why, (o, _file_id, _line)) from reasons
);

-- The changed lines, each a number (file id × 10^10 + line) for a plain lookup.
create or replace temp table changed_keys as
select _file_id::bigint * 10000000000 + _line as k from changed_station_lines
union all select _file_id::bigint * 10000000000 + _line from changed_member_lines
union all select _file_id::bigint * 10000000000 + _line from changed_order_lines;

-- Where the marts start again (core/dates.sql `since`): the earliest date a changed row moves — a station's
-- changed date (before or after), a refunded member's joining date (member_joins and the member's cohort rows are
-- kept by it), a changed order's date; a line loaded for the first time, every date it holds.
set variable changes_since = (
    select min(d) from (
        select since as d from changed_station_lines where was_loaded
        union all select since from changed_member_lines where was_loaded
        union all select since from changed_order_lines
        union all select least(signed_on, coalesce(opened_on, signed_on), coalesce(closed_on, signed_on))
        from stg_stations
        where (_file_id, _line) in (select _file_id, _line from changed_station_lines where not was_loaded)
        union all select least(joined_on, coalesce(refunded_on, joined_on))
        from stg_members
        where (_file_id, _line) in (select _file_id, _line from changed_member_lines where not was_loaded)
    )
);

-- The members whose per-member marts change (core/dates.sql `touched_members`), and those that may load for the
-- first time (member_nodes, referral chains).
insert into changed_members
select member_id from changed_member_lines where member_id is not null
union select member_id from changed_order_lines where member_id is not null;

insert into reloaded_members
select member_id from changed_member_lines where not was_loaded and member_id is not null;

delete from stations
where _file_id in (select file_id from changed_files)
  and _file_id::bigint * 10000000000 + _line in (select k from changed_keys);

delete from members
where _file_id in (select file_id from changed_files)
  and _file_id::bigint * 10000000000 + _line in (select k from changed_keys);

delete from orders
where _file_id in (select file_id from changed_files)
  and _file_id::bigint * 10000000000 + _line in (select k from changed_keys);

delete from rejects using sources as f
where f.file_name = rejects.source_file and f.table_name = rejects.table_name
  and f.file_id in (select file_id from changed_files)
  and (f.file_id::bigint * 10000000000 + rejects.line in (select k from changed_keys)
       or (f.file_id, rejects.line) in (select _file_id, _line from early_rejects));   -- read again below

-- The core models read this run's rows: every row of a new file, the changed lines of a changed one.
delete from stg_stations
where _file_id in (select file_id from changed_files)
  and _file_id::bigint * 10000000000 + _line not in (select k from changed_keys);

delete from stg_members
where _file_id in (select file_id from changed_files)
  and _file_id::bigint * 10000000000 + _line not in (select k from changed_keys);

alter view stg_orders rename to stg_orders_read;    -- (a view over the files, not a table)
create temp view stg_orders as
select * from stg_orders_read
where _file_id not in (select file_id from changed_files)
   or _file_id::bigint * 10000000000 + _line in (select k from changed_keys);
