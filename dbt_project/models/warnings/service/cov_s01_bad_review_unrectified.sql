-- Coverage of S01: every current bad review (rating <= s_bad_rating_max). reviewed_at
-- is required by the contract, so every one can be judged.
with

reviews as (

    select * from {{ ref('int_reviews_attributed') }}
    where is_bad

),

scope as (

    select review_id as subject_id, cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from reviews

),

final as (

    {{ coverage_select('S01', 'scope') }}

)

select * from final
