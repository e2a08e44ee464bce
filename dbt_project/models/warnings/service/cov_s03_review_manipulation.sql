-- Coverage of S03: every (reviewed staff member, reviewer key) pair with praise of a
-- case (rating >= s03_min_good_rating, not by the case's applicant). A praising review
-- of a case with no reviewer key, or whose staff member is unknown, cannot be judged:
-- it is counted as its own subject (review:<review_id>) with the reason.
with

reviews as (

    select * from {{ ref('int_reviews_attributed') }}
    where rating >= {{ var('s03_min_good_rating') }}
        and not is_by_applicant
        and case_id is not null

),

scope as (

    select distinct
        {{ dbt.concat(['reviewed_staff_id', "'|'", 'reviewer_key']) }} as subject_id,
        cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from reviews
    where reviewed_staff_id is not null and reviewer_key is not null

    union all

    select
        {{ dbt.concat(["'review:'", 'review_id']) }} as subject_id,
        case
            when reviewed_staff_id is null then 'reviewed_staff_unknown'
            else 'no_reviewer_key'
        end as not_evaluable_reason
    from reviews
    where reviewed_staff_id is null or reviewer_key is null

),

final as (

    {{ coverage_select('S03', 'scope') }}

)

select * from final
