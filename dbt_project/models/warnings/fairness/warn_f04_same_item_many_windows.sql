-- F04 多窗口重复办理: >= f04_min_applicants distinct applicants sharing one applicant_phone
-- file offline cases of the same item at windows of >= f04_min_streets distinct streets
-- within f04_window_days days (a candidate for 通办). Only phone and item groups that
-- reach both counts over all time are searched for a window, so the pairwise step runs
-- on a handful of groups, never on every case.
with

cases as (

    select * from {{ ref('int_cases_clocked') }}

),

windows as (

    select * from {{ ref('stg_windows') }}

),

offline as (

    select
        cases.case_id,
        cases.dept_code,
        cases.applicant_phone_key,
        cases.applicant_key,
        cases.item_code,
        cases.window_id,
        windows.street,
        cases.submitted_at,
        {{ day_number('cases.submitted_at') }} as submitted_day
    from cases
    left join windows on cases.window_id = windows.window_id
    where cases.channel = '线下'
      and cases.applicant_phone_key is not null
      and cases.submitted_at is not null

),

candidate_groups as (

    select applicant_phone_key, item_code
    from offline
    group by applicant_phone_key, item_code
    having count(distinct applicant_key) >= {{ var('f04_min_applicants') }}
       and count(distinct street) >= {{ var('f04_min_streets') }}

),

candidate_cases as (

    select offline.*
    from offline
    inner join candidate_groups
        on offline.applicant_phone_key = candidate_groups.applicant_phone_key
        and offline.item_code = candidate_groups.item_code

),

windowed as (

    -- every window of f04_window_days days ending on a case's submission day
    select
        window_end.applicant_phone_key,
        window_end.item_code,
        window_end.submitted_day as window_last_day,
        min(window_end.dept_code) as dept_code,
        count(distinct other.applicant_key) as applicant_count,
        count(distinct other.street) as street_count
    from candidate_cases as window_end
    inner join candidate_cases as other
        on window_end.applicant_phone_key = other.applicant_phone_key
        and window_end.item_code = other.item_code
        and other.submitted_day between window_end.submitted_day - {{ var('f04_window_days') - 1 }}
                                    and window_end.submitted_day
    group by window_end.applicant_phone_key, window_end.item_code, window_end.submitted_day

),

ranked as (

    select
        windowed.*,
        row_number() over (
            partition by windowed.applicant_phone_key, windowed.item_code
            order by
                windowed.applicant_count desc, windowed.street_count desc,
                windowed.window_last_day asc
        ) as window_rank
    from windowed
    where windowed.applicant_count >= {{ var('f04_min_applicants') }}
      and windowed.street_count >= {{ var('f04_min_streets') }}

),

shared as (

    select * from ranked where window_rank = 1

),

window_cases as (

    select
        shared.applicant_phone_key,
        shared.item_code,
        min(candidate_cases.submitted_at) as first_submitted_at,
        max(candidate_cases.submitted_at) as last_submitted_at,
        {{ json_array_agg('candidate_cases.case_id',
                          'candidate_cases.submitted_at, candidate_cases.case_id') }} as case_ids,
        {{ json_array_agg('candidate_cases.window_id',
                          'candidate_cases.submitted_at, candidate_cases.case_id') }} as window_ids,
        {{ json_array_agg('candidate_cases.street',
                          'candidate_cases.submitted_at, candidate_cases.case_id') }} as streets,
        {{ json_array_agg('candidate_cases.applicant_key',
                          'candidate_cases.submitted_at, candidate_cases.case_id') }}
            as applicant_keys
    from shared
    inner join candidate_cases
        on shared.applicant_phone_key = candidate_cases.applicant_phone_key
        and shared.item_code = candidate_cases.item_code
        and candidate_cases.submitted_day
            between shared.window_last_day - {{ var('f04_window_days') - 1 }}
            and shared.window_last_day
    group by shared.applicant_phone_key, shared.item_code

),

alert_rows as (

    select
        {{ dbt.concat(['shared.applicant_phone_key', "'|'", 'shared.item_code']) }} as subject_id,
        shared.dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        shared.applicant_count as metric_value,
        {{ var('f04_min_applicants') }} as threshold_value,
        window_cases.last_submitted_at as occurred_on,
        {{ json_object([
            ('applicant_phone_key', 'shared.applicant_phone_key'),
            ('item_code', 'shared.item_code'),
            ('distinct_applicants', 'shared.applicant_count'),
            ('distinct_streets', 'shared.street_count'),
            ('case_ids', json_value('window_cases.case_ids')),
            ('window_ids', json_value('window_cases.window_ids')),
            ('streets', json_value('window_cases.streets')),
            ('applicant_keys', json_value('window_cases.applicant_keys')),
            ('first_submitted_at', 'window_cases.first_submitted_at'),
            ('last_submitted_at', 'window_cases.last_submitted_at'),
            ('f04_min_applicants', var('f04_min_applicants')),
            ('f04_min_streets', var('f04_min_streets')),
            ('f04_window_days', var('f04_window_days')),
        ]) }} as evidence
    from shared
    inner join window_cases
        on shared.applicant_phone_key = window_cases.applicant_phone_key
        and shared.item_code = window_cases.item_code

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
