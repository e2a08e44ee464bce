-- Coverage of S02: every staff member with a review in the window. Fewer than
-- s02_min_reviews reviews is too few to judge a share; a review in the window whose
-- staff member is unknown (no staff_id, no case handler) is counted as its own
-- not-evaluable subject (review:<review_id>), so unattributable reviews stay visible.
with

reviews as (

    select * from {{ ref('int_reviews_attributed') }}
    where reviewed_on <= {{ as_of() }}
        and reviewed_on > {{ dbt.dateadd('day', -var('s02_window_days'), as_of()) }}

),

per_staff as (

    select reviewed_staff_id as subject_id, count(*) as review_count
    from reviews
    where reviewed_staff_id is not null
    group by reviewed_staff_id

),

scope as (

    select
        subject_id,
        case
            when review_count < {{ var('s02_min_reviews') }}
                then 'fewer_than_{{ var("s02_min_reviews") }}_reviews'
        end as not_evaluable_reason
    from per_staff

    union all

    select
        {{ dbt.concat(["'review:'", 'review_id']) }} as subject_id,
        'reviewed_staff_unknown' as not_evaluable_reason
    from reviews
    where reviewed_staff_id is null

),

final as (

    {{ coverage_select('S02', 'scope') }}

)

select * from final
