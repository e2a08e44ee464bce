-- F06 不予受理异常: a handler with >= f06_min_cases cases of an item has >= f06_min_refusals
-- refusals and a refusal rate >= f06_rate_factor x the rate of the rest of the department
-- for that item, and the rest has >= f06_min_cases cases. Rates compared by cross
-- multiplication, so an exact 3x is exact.
with

refusals as (

    select * from {{ ref('int_handler_item_refusals') }}

),

case_refusals as (

    select * from {{ ref('int_case_refusals') }}

),

cases as (

    select * from {{ ref('int_cases_enriched') }}

),

qualifying as (

    select * from refusals
    where case_count >= {{ var('f06_min_cases') }}
      and refusal_count >= {{ var('f06_min_refusals') }}
      and rest_case_count >= {{ var('f06_min_cases') }}
      and refusal_count * rest_case_count
          >= {{ var('f06_rate_factor') }} * rest_refusal_count * case_count

),

-- The subject is staff_id|item_code (rules.md) but the comparison is per department: a
-- handler who qualifies for one item in two departments (moved, or seconded) gets one
-- alert, for the department where the rate is highest (then the smallest code), so
-- subject ids stay unique.
ranked_by_subject as (

    select
        *,
        row_number() over (
            partition by handler_staff_id, item_code
            order by refusal_rate desc, dept_code asc
        ) as rank_in_subject
    from qualifying

),

outliers as (

    select * from ranked_by_subject
    where rank_in_subject = 1

),

-- the outlier's refusals, and the latest submission among them (occurred_on); a join,
-- not a lookup per alert row: Spark rejects a subquery nested in a correlated one
refused_cases as (

    select
        outliers.dept_code,
        outliers.item_code,
        outliers.handler_staff_id,
        {{ json_array_agg('case_refusals.case_id', 'case_refusals.case_id') }} as refusal_case_ids,
        max(cast(cases.submitted_at as date)) as last_refused_submitted_on
    from outliers
    inner join case_refusals
        on outliers.dept_code = case_refusals.dept_code
        and outliers.item_code = case_refusals.item_code
        and outliers.handler_staff_id = case_refusals.handler_staff_id
    left join cases on case_refusals.case_id = cases.case_id
    where case_refusals.is_refusal
    group by outliers.dept_code, outliers.item_code, outliers.handler_staff_id

),

alert_rows as (

    select
        {{ dbt.concat(['outliers.handler_staff_id', "'|'", 'outliers.item_code']) }} as subject_id,
        outliers.dept_code,
        outliers.handler_staff_id as staff_id,
        outliers.refusal_rate as metric_value,
        {{ var('f06_rate_factor') }} * outliers.rest_refusal_rate as threshold_value,
        refused_cases.last_refused_submitted_on as occurred_on,
        {{ json_object([
            ('staff_id', 'outliers.handler_staff_id'),
            ('item_code', 'outliers.item_code'),
            ('dept_code', 'outliers.dept_code'),
            ('case_count', 'outliers.case_count'),
            ('refusal_count', 'outliers.refusal_count'),
            ('refusal_rate', 'outliers.refusal_rate'),
            ('refusal_case_ids', json_value('refused_cases.refusal_case_ids')),
            ('rest_case_count', 'outliers.rest_case_count'),
            ('rest_refusal_count', 'outliers.rest_refusal_count'),
            ('rest_refusal_rate', 'outliers.rest_refusal_rate'),
            ('f06_min_cases', var('f06_min_cases')),
            ('f06_min_refusals', var('f06_min_refusals')),
            ('f06_rate_factor', var('f06_rate_factor')),
        ]) }} as evidence
    from outliers
    inner join refused_cases
        on outliers.dept_code = refused_cases.dept_code
        and outliers.item_code = refused_cases.item_code
        and outliers.handler_staff_id = refused_cases.handler_staff_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
