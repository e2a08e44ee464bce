-- S03 刷好评: one reviewer key (pseudonym of reviewer_phone, else device_id) gives
-- ratings >= s03_min_good_rating to >= s03_min_distinct_cases distinct cases of the same
-- reviewed staff member within s03_window_days days (date(last) - date(first) <= 29),
-- leaving out reviews whose reviewer_phone is the applicant_phone of the reviewed case.
-- One pass of a distinct count over a sliding range of days per (staff, key): no
-- self-join over the reviews.
with

reviews as (

    select * from {{ ref('int_reviews_attributed') }}

),

praise as (

    select
        *,
        {{ dbt.concat(['reviewed_staff_id', "'|'", 'reviewer_key']) }} as subject_id,
        {{ dbt.datediff("cast('2000-01-01' as date)", 'reviewed_on', 'day') }} as day_number
    from reviews
    where rating >= {{ var('s03_min_good_rating') }}
        and not is_by_applicant
        and case_id is not null
        and reviewed_staff_id is not null
        and reviewer_key is not null

),

windowed as (

    -- distinct cases praised in the window of s03_window_days days ending on this day
    select
        *,
        {{ count_distinct_over_range('case_id', 'reviewed_staff_id, reviewer_key', 'day_number',
                                     var('s03_window_days') - 1) }} as cases_in_window
    from praise

),

peaks as (

    -- the first window end where the most distinct cases fall inside the window
    select subject_id, reviewed_staff_id, reviewer_key, reviewer_key_kind, dept_code,
           cases_in_window, day_number as window_end_day, reviewed_on as window_end_on
    from (
        select
            *,
            row_number() over (
                partition by subject_id
                order by cases_in_window desc, day_number asc, review_id asc
            ) as peak_rank
        from windowed
    ) as ranked
    where peak_rank = 1
        and cases_in_window >= {{ var('s03_min_distinct_cases') }}

),

peak_reviews as (

    -- only the few firing subjects: the praise inside their peak window
    select
        peaks.subject_id,
        {{ json_array_agg('praise.review_id', 'praise.reviewed_at, praise.review_id') }}
            as review_ids,
        {{ json_array_agg('praise.case_id', 'praise.reviewed_at, praise.review_id') }} as case_ids,
        min(praise.reviewed_at) as first_reviewed_at,
        max(praise.reviewed_at) as last_reviewed_at
    from peaks
    inner join praise
        on peaks.subject_id = praise.subject_id
        and peaks.window_end_day >= praise.day_number
        and praise.day_number > peaks.window_end_day - {{ var('s03_window_days') }}
    group by peaks.subject_id

),

alert_rows as (

    select
        peaks.subject_id,
        peaks.dept_code,
        peaks.reviewed_staff_id as staff_id,
        peaks.cases_in_window as metric_value,
        {{ var('s03_min_distinct_cases') }} as threshold_value,
        peak_reviews.last_reviewed_at as occurred_on,
        {{ json_object([
            ('reviewed_staff_id', 'peaks.reviewed_staff_id'),
            ('reviewer_key', 'peaks.reviewer_key'),
            ('reviewer_key_kind', 'peaks.reviewer_key_kind'),
            ('distinct_cases', 'peaks.cases_in_window'),
            ('window_end_on', 'peaks.window_end_on'),
            ('first_reviewed_at', 'peak_reviews.first_reviewed_at'),
            ('last_reviewed_at', 'peak_reviews.last_reviewed_at'),
            ('review_ids', json_value('peak_reviews.review_ids')),
            ('case_ids', json_value('peak_reviews.case_ids')),
            ('s03_min_good_rating', var('s03_min_good_rating')),
            ('s03_min_distinct_cases', var('s03_min_distinct_cases')),
            ('s03_window_days', var('s03_window_days')),
        ]) }} as evidence
    from peaks
    inner join peak_reviews on peaks.subject_id = peak_reviews.subject_id

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
