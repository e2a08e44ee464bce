-- P05 拆分规避招标: the same buyer and winner have p05_min_tenders (2) or more awarded
-- tenders not by 公开招标, each with estimated_value below tender_threshold (4,000,000),
-- published within p05_window_days (30) days (date(last) - date(first) <= 29), together
-- >= tender_threshold. One alert per buyer and winner; its evidence lists every group.
--
-- A group is a window of 30 days starting at a publication date of the pair: values are
-- positive, so a qualifying set of tenders exists exactly when the window starting at its
-- first publication qualifies. Windows inside an earlier qualifying window are left out
-- of the evidence (they add no tender).
--
-- estimated_value stays decimal(18, 2) (stg_tenders), so the sums are exact: a group of
-- 2129663.26 + 1003148.86 + 867187.88 is 4,000,000.00 and fires, where floating point
-- makes it 3999999.9999999995. Nothing is divided; metric_value turns double only in
-- alert_select, as the output contract has it.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

awards as (

    select * from {{ ref('stg_awards') }}

),

candidates as (

    select
        tenders.tender_id,
        tenders.buyer_dept_code,
        awards.winner_uscc,
        tenders.procedure_type,
        tenders.estimated_value,
        tenders.published_at,
        cast(tenders.published_at as date) as published_on
    from tenders
    inner join awards on tenders.tender_id = awards.tender_id
    where tenders.procedure_type <> '公开招标'
        and tenders.estimated_value < {{ var('tender_threshold') }}
        and tenders.published_at is not null
        and awards.winner_uscc is not null

),

window_starts as (

    select distinct buyer_dept_code, winner_uscc, published_on as window_start
    from candidates

),

windows as (

    select
        window_starts.buyer_dept_code,
        window_starts.winner_uscc,
        window_starts.window_start,
        max(candidates.published_on) as window_last,
        count(*) as tender_count,
        sum(candidates.estimated_value) as total_value,
        {{ json_array_agg('candidates.tender_id',
                          'candidates.published_at, candidates.tender_id') }}
            as tender_ids
    from window_starts
    inner join candidates
        on window_starts.buyer_dept_code = candidates.buyer_dept_code
        and window_starts.winner_uscc = candidates.winner_uscc
        and window_starts.window_start <= candidates.published_on
        and {{ dbt.datediff('window_starts.window_start', 'candidates.published_on', 'day') }}
            <= {{ var('p05_window_days') }} - 1
    group by window_starts.buyer_dept_code, window_starts.winner_uscc, window_starts.window_start
    having count(*) >= {{ var('p05_min_tenders') }}
        and sum(candidates.estimated_value) >= {{ var('tender_threshold') }}

),

maximal_windows as (

    select windows.*
    from windows
    where not exists (
        select 1
        from windows as earlier
        where earlier.buyer_dept_code = windows.buyer_dept_code
            and earlier.winner_uscc = windows.winner_uscc
            and earlier.window_start < windows.window_start
            and {{ dbt.datediff('earlier.window_start', 'windows.window_last', 'day') }}
                <= {{ var('p05_window_days') }} - 1
    )

),

per_pair as (

    select
        buyer_dept_code,
        winner_uscc,
        count(*) as group_count,
        max(total_value) as max_total_value,
        {{ json_array_agg(json_value(json_object([
            ('first_published_on', 'window_start'),
            ('last_published_on', 'window_last'),
            ('tender_ids', json_value('tender_ids')),
            ('tender_count', 'tender_count'),
            ('total_estimated_value', 'total_value'),
        ])), 'window_start') }} as groups
    from maximal_windows
    group by buyer_dept_code, winner_uscc

),

alert_rows as (

    select
        {{ dbt.concat(['buyer_dept_code', "'|'", 'winner_uscc']) }} as subject_id,
        buyer_dept_code as dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        max_total_value as metric_value,
        {{ var('tender_threshold') }} as threshold_value,
        {{ json_element_date('groups', -1, 'last_published_on') }} as occurred_on,
        {{ json_object([
            ('buyer_dept_code', 'buyer_dept_code'),
            ('winner_uscc', 'winner_uscc'),
            ('group_count', 'group_count'),
            ('groups', json_value('groups')),
            ('tender_threshold', var('tender_threshold')),
            ('p05_window_days', var('p05_window_days')),
        ]) }} as evidence
    from per_pair

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
