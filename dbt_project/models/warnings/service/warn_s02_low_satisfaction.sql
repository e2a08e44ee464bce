-- S02 满意度偏低: among the reviews dated in the s02_window_days days ending at as_of
-- (as_of - 89 ... as_of), >= s02_min_reviews reviews of one staff member (the reviewed
-- staff member) and >= s02_min_bad_share of them rated <= s_bad_rating_max.
with

reviews as (

    select * from {{ ref('int_reviews_attributed') }}

),

staff as (

    select staff_id, dept_code from {{ ref('stg_staff') }}

),

in_window as (

    select * from reviews
    where reviewed_staff_id is not null
        and reviewed_on <= {{ as_of() }}
        and reviewed_on > {{ dbt.dateadd('day', -var('s02_window_days'), as_of()) }}

),

per_staff as (

    select
        reviewed_staff_id as staff_id,
        max(dept_code) as review_dept_code,
        count(*) as review_count,
        sum(case when is_bad then 1 else 0 end) as bad_count,
        min(reviewed_on) as first_reviewed_on,
        max(reviewed_on) as last_reviewed_on
    from in_window
    group by reviewed_staff_id

),

bad_lists as (

    select
        reviewed_staff_id as staff_id,
        {{ json_array_agg('review_id', 'reviewed_at, review_id') }} as bad_review_ids
    from in_window
    where is_bad
    group by reviewed_staff_id

),

rated as (

    select
        per_staff.*,
        coalesce(staff.dept_code, per_staff.review_dept_code) as dept_code,
        cast(per_staff.bad_count as {{ type_double() }}) / per_staff.review_count as bad_share
    from per_staff
    left join staff on per_staff.staff_id = staff.staff_id

),

low as (

    select rated.*, bad_lists.bad_review_ids
    from rated
    left join bad_lists on rated.staff_id = bad_lists.staff_id
    where rated.review_count >= {{ var('s02_min_reviews') }}
        and rated.bad_share >= {{ var('s02_min_bad_share') }}

),

alert_rows as (

    select
        staff_id as subject_id,
        dept_code,
        staff_id,
        bad_share as metric_value,
        {{ var('s02_min_bad_share') }} as threshold_value,
        {{ as_of() }} as occurred_on,
        {{ json_object([
            ('staff_id', 'staff_id'),
            ('window_from',
             'cast(' ~ dbt.dateadd('day', 1 - var('s02_window_days'), as_of()) ~ ' as date)'),
            ('window_to', as_of()),
            ('review_count', 'review_count'),
            ('bad_review_count', 'bad_count'),
            ('bad_share', 'bad_share'),
            ('bad_review_ids', json_value('bad_review_ids')),
            ('s_bad_rating_max', var('s_bad_rating_max')),
            ('s02_window_days', var('s02_window_days')),
            ('s02_min_reviews', var('s02_min_reviews')),
            ('s02_min_bad_share', var('s02_min_bad_share')),
        ]) }} as evidence
    from low

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
