-- Coverage of P07: buyer|winner|year of the awarded tenders; in a buyer's year with fewer
-- than p07_min_awarded_tenders awarded tenders there are too few to compare.
with

buyer_winner_years as (

    select * from {{ ref('int_buyer_winner_years') }}

),

scope as (

    select
        {{ dbt.concat(['buyer_dept_code', "'|'", 'winner_uscc', "'|'",
                       'cast(award_year as ' ~ dbt.type_string() ~ ')']) }} as subject_id,
        case when awarded_count < {{ var('p07_min_awarded_tenders') }}
             then 'too_few_awarded_tenders_in_year' end as not_evaluable_reason
    from buyer_winner_years

),

final as (

    {{ coverage_select('P07', 'scope') }}

)

select * from final
