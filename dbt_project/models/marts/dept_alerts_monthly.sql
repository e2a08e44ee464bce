-- Per department and month: alerts by rule family and severity, in long form so a BI
-- tool charts it directly (department x month, stacked by family or severity).
-- An alert counts in the month its violation happened (occurred_on, defined per rule), not
-- the month it was first detected: on a first load of a year of history every alert is
-- first detected in one run, and the chart would show one bar describing the run.
with

alerts as (

    select * from {{ ref('alerts') }}

),

departments as (

    select * from {{ ref('dim_department') }}

),

counted as (

    select
        cast({{ dbt.date_trunc('month', 'occurred_on') }} as date) as month_start,
        dept_code,
        rule_family,
        severity,
        count(*) as alert_count,
        count(distinct rule_code) as rule_count,
        count(distinct staff_id) as staff_count
    from alerts
    group by 1, 2, 3, 4

),

final as (

    select
        counted.month_start,
        counted.dept_code,
        departments.dept_name,
        counted.rule_family,
        case counted.rule_family
            when 'T' then '办件时效'
            when 'F' then '公平与中介'
            when 'S' then '服务评价'
            when 'P' then '公共资源交易'
            when 'L' then '民生资金'
            when 'C' then '作风'
            when 'K' then '重点项目'
        end as rule_family_name_zh,
        counted.severity,
        case counted.severity
            when 'red' then 3 when 'yellow' then 2 else 1
        end as severity_rank,
        counted.alert_count,
        counted.rule_count,
        counted.staff_count
    from counted
    left join departments on counted.dept_code = departments.dept_code

)

select * from final
