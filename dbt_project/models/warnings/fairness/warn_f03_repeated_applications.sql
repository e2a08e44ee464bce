-- F03 重复申请: >= f03_min_cases cases of the same applicant and item submitted within
-- f03_window_days days (date(last) - date(first) <= f03_window_days - 1). For every case,
-- a RANGE window counts the cases of its applicant and item submitted in the
-- f03_window_days days ending on its own submission date: linear, no self-join.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

submissions as (

    select
        case_id,
        dept_code,
        applicant_key,
        item_code,
        submitted_at,
        {{ day_number('submitted_at') }} as submitted_day
    from cases
    where applicant_key is not null and submitted_at is not null

),

candidate_groups as (

    -- an applicant and item with fewer cases in all than f03_min_cases cannot fire: most
    -- pairs have one case, so the window below runs on a small part of the cases
    select applicant_key, item_code
    from submissions
    group by applicant_key, item_code
    having count(*) >= {{ var('f03_min_cases') }}

),

windowed as (

    select
        submissions.*,
        count(*) over (
            partition by applicant_key, item_code
            order by submissions.submitted_day
            range between {{ var('f03_window_days') - 1 }} preceding and current row
        ) as cases_in_window
    from submissions
    inner join candidate_groups using (applicant_key, item_code)

),

densest as (

    -- per applicant and item: the largest count, at the earliest window where it occurs
    select
        applicant_key,
        item_code,
        dept_code,
        cases_in_window,
        submitted_day as window_last_day,
        row_number() over (
            partition by applicant_key, item_code
            order by cases_in_window desc, submitted_day asc, case_id asc
        ) as window_rank
    from windowed

),

repeated as (

    select * from densest
    where window_rank = 1
      and cases_in_window >= {{ var('f03_min_cases') }}

),

window_cases as (

    -- the cases of the densest window, for the evidence (only groups that fire)
    select
        repeated.applicant_key,
        repeated.item_code,
        min(submissions.submitted_at) as first_submitted_at,
        max(submissions.submitted_at) as last_submitted_at,
        {{ json_array_agg('submissions.case_id', 'submissions.submitted_at, submissions.case_id') }}
            as case_ids
    from repeated
    inner join submissions
        on repeated.applicant_key = submissions.applicant_key
        and repeated.item_code = submissions.item_code
        and submissions.submitted_day
            between repeated.window_last_day - {{ var('f03_window_days') - 1 }}
            and repeated.window_last_day
    group by repeated.applicant_key, repeated.item_code

),

alert_rows as (

    select
        {{ dbt.concat(['repeated.applicant_key', "'|'", 'repeated.item_code']) }} as subject_id,
        repeated.dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        repeated.cases_in_window as metric_value,
        {{ var('f03_min_cases') }} as threshold_value,
        window_cases.last_submitted_at as occurred_on,
        {{ json_object([
            ('applicant_key', 'repeated.applicant_key'),
            ('item_code', 'repeated.item_code'),
            ('case_count_within_window', 'repeated.cases_in_window'),
            ('case_ids', json_value('window_cases.case_ids')),
            ('first_submitted_at', 'window_cases.first_submitted_at'),
            ('last_submitted_at', 'window_cases.last_submitted_at'),
            ('f03_min_cases', var('f03_min_cases')),
            ('f03_window_days', var('f03_window_days')),
        ]) }} as evidence
    from repeated
    inner join window_cases
        on repeated.applicant_key = window_cases.applicant_key
        and repeated.item_code = window_cases.item_code

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
