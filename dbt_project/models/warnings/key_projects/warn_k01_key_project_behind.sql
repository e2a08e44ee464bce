-- K01 重点项目滞后: (completed_on, else as_of) − planned_on in calendar days >
-- k01_yellow_days_late: yellow; > k01_red_days_late: red. A milestone completed on or
-- before its planned date never fires.
with

milestones as (

    select * from {{ ref('stg_key_projects') }}

),

measured as (

    select
        *,
        coalesce(completed_on, {{ as_of() }}) as measured_on,
        {{ dbt.datediff('planned_on', 'coalesce(completed_on, ' ~ as_of() ~ ')', 'day') }}
            as days_late
    from milestones
    where planned_on is not null

),

behind as (

    select * from measured
    where days_late > {{ var('k01_yellow_days_late') }}

),

alert_rows as (

    select
        {{ dbt.concat(["project_id", "'|'", "milestone"]) }} as subject_id,
        dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        days_late,
        days_late as metric_value,
        case when days_late > {{ var('k01_red_days_late') }} then {{ var('k01_red_days_late') }}
             else {{ var('k01_yellow_days_late') }} end as threshold_value,
        cast({{ dbt.dateadd('day', var('k01_yellow_days_late') + 1, 'planned_on') }} as date)
            as occurred_on,
        {{ json_object([
            ('project_id', 'project_id'),
            ('project_name', 'project_name'),
            ('milestone', 'milestone'),
            ('planned_on', 'planned_on'),
            ('completed_on', 'completed_on'),
            ('measured_on', 'measured_on'),
            ('days_late', 'days_late'),
            ('k01_yellow_days_late', var('k01_yellow_days_late')),
            ('k01_red_days_late', var('k01_red_days_late')),
        ]) }} as evidence
    from behind

),

final as (

    {{ alert_select('alert_rows', severity_expr="case when days_late > "
                    ~ var('k01_red_days_late') ~ " then 'red' else 'yellow' end") }}

)

select * from final
