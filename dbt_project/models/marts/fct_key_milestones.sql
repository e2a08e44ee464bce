-- One row per current key-project milestone: planned and actual completion, calendar days
-- late (measured to as_of while open) and a status.
with

milestones as (

    select * from {{ ref('stg_key_projects') }}

),

measured as (

    select
        *,
        {{ dbt.datediff('planned_on', 'coalesce(completed_on, ' ~ as_of() ~ ')', 'day') }}
            as days_past_plan
    from milestones

),

final as (

    select
        ---------- ids
        project_id,
        milestone,
        dept_code,

        ---------- text
        project_name,

        ---------- dates
        planned_on,
        completed_on,
        {{ as_of() }} as as_of,

        ---------- numerics
        case when days_past_plan > 0 then days_past_plan else 0 end as days_late,

        ---------- status
        case
            when planned_on is null then 'no_plan'
            when completed_on is not null and days_past_plan <= 0 then 'completed_on_time'
            when completed_on is not null then 'completed_late'
            when days_past_plan > 0 then 'open_overdue'
            else 'open'
        end as status,
        case
            when days_past_plan > {{ var('k01_red_days_late') }} then 'red'
            when days_past_plan > {{ var('k01_yellow_days_late') }} then 'yellow'
        end as k01_severity

    from measured

)

select * from final
