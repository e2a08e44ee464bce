-- S05 重复投诉: some ticket t has >= s05_min_tickets - 1 earlier tickets (created_at
-- before t's) from the same caller (pseudonym of caller_phone) to the same department,
-- all of them within s05_window_days days (date(t) - date(earliest) <= 59), and at least
-- one of those earlier tickets was closed by the time t came in (closed_at <=
-- t.created_at). One alert per caller and department.
--
-- Window functions only: tickets with the same created_at are first grouped (none is
-- earlier than another), then "earlier and within the window" is the tickets of the
-- previous 59 days plus those earlier on t's own day.
with

tickets as (

    select * from {{ ref('stg_hotline_tickets') }}
    where caller_phone_key is not null

),

instants as (

    -- one row per caller, department and created_at
    select
        caller_phone_key,
        dept_code,
        created_at,
        cast(created_at as date) as created_on,
        {{ dbt.datediff("cast('2000-01-01' as date)", 'cast(created_at as date)', 'day') }}
            as day_number,
        count(*) as ticket_count,
        min(closed_at) as first_closed_at
    from tickets
    group by caller_phone_key, dept_code, created_at

),

earlier as (

    select
        *,
        -- earlier days inside the window
        coalesce(sum(ticket_count) over (
            partition by caller_phone_key, dept_code
            order by day_number
            range between {{ var('s05_window_days') - 1 }} preceding and 1 preceding
        ), 0) as earlier_days_count,
        min(first_closed_at) over (
            partition by caller_phone_key, dept_code
            order by day_number
            range between {{ var('s05_window_days') - 1 }} preceding and 1 preceding
        ) as earlier_days_first_closed_at,
        -- earlier instants of the same day
        coalesce(sum(ticket_count) over (
            partition by caller_phone_key, dept_code, day_number
            order by created_at
            rows between unbounded preceding and 1 preceding
        ), 0) as same_day_count,
        min(first_closed_at) over (
            partition by caller_phone_key, dept_code, day_number
            order by created_at
            rows between unbounded preceding and 1 preceding
        ) as same_day_first_closed_at
    from instants

),

triggers as (

    select
        caller_phone_key,
        dept_code,
        created_at,
        created_on,
        day_number,
        earlier_days_count + same_day_count as earlier_count,
        case
            when earlier_days_first_closed_at is null then same_day_first_closed_at
            when same_day_first_closed_at is null then earlier_days_first_closed_at
            when earlier_days_first_closed_at < same_day_first_closed_at
                then earlier_days_first_closed_at
            else same_day_first_closed_at
        end as earlier_first_closed_at
    from earlier

),

fired as (

    select * from triggers
    where earlier_count >= {{ var('s05_min_tickets') }} - 1
        and earlier_first_closed_at <= created_at

),

first_trigger as (

    select
        caller_phone_key,
        dept_code,
        count(*) as trigger_count,
        max(earlier_count) + 1 as max_tickets_in_window,
        min(created_at) as first_trigger_at
    from fired
    group by caller_phone_key, dept_code

),

evidence_tickets as (

    -- only the firing callers: the tickets of the first trigger's window, up to it
    select
        first_trigger.caller_phone_key,
        first_trigger.dept_code,
        {{ json_array_agg('tickets.ticket_id', 'tickets.created_at, tickets.ticket_id') }}
            as ticket_ids,
        {{ json_array_agg('tickets.created_at', 'tickets.created_at, tickets.ticket_id') }}
            as created_ats,
        {{ json_array_agg('tickets.closed_at', 'tickets.created_at, tickets.ticket_id') }}
            as closed_ats,
        max(tickets.caller_phone_masked) as caller_phone_masked
    from first_trigger
    inner join tickets
        on first_trigger.caller_phone_key = tickets.caller_phone_key
        and first_trigger.dept_code = tickets.dept_code
        and first_trigger.first_trigger_at >= tickets.created_at
        and cast(tickets.created_at as date)
            > {{ dbt.dateadd('day', -var('s05_window_days'),
                             'cast(first_trigger.first_trigger_at as date)') }}
    group by first_trigger.caller_phone_key, first_trigger.dept_code

),

alert_rows as (

    select
        {{ dbt.concat(['first_trigger.caller_phone_key', "'|'", 'first_trigger.dept_code']) }}
            as subject_id,
        first_trigger.dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        first_trigger.max_tickets_in_window as metric_value,
        {{ var('s05_min_tickets') }} as threshold_value,
        first_trigger.first_trigger_at as occurred_on,
        {{ json_object([
            ('caller_phone_key', 'first_trigger.caller_phone_key'),
            ('caller_phone_masked', 'evidence_tickets.caller_phone_masked'),
            ('dept_code', 'first_trigger.dept_code'),
            ('first_trigger_at', 'first_trigger.first_trigger_at'),
            ('trigger_count', 'first_trigger.trigger_count'),
            ('max_tickets_in_window', 'first_trigger.max_tickets_in_window'),
            ('ticket_ids', json_value('evidence_tickets.ticket_ids')),
            ('created_at', json_value('evidence_tickets.created_ats')),
            ('closed_at', json_value('evidence_tickets.closed_ats')),
            ('s05_min_tickets', var('s05_min_tickets')),
            ('s05_window_days', var('s05_window_days')),
        ]) }} as evidence
    from first_trigger
    inner join evidence_tickets
        on first_trigger.caller_phone_key = evidence_tickets.caller_phone_key
        and first_trigger.dept_code = evidence_tickets.dept_code

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
