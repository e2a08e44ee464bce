-- Coverage of P07: buyer|winner|year of the awarded tenders; in a buyer's year with fewer
-- than p07_min_awarded_tenders awarded tenders there are too few to compare.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

awards as (

    select * from {{ ref('stg_awards') }}

),

awarded as (

    select
        tenders.buyer_dept_code,
        awards.winner_uscc,
        cast(extract(year from awards.awarded_at) as integer) as award_year
    from awards
    inner join tenders on awards.tender_id = tenders.tender_id
    where awards.awarded_at is not null
        and awards.winner_uscc is not null

),

buyer_years as (

    select buyer_dept_code, award_year, count(*) as awarded_count
    from awarded
    group by buyer_dept_code, award_year

),

winner_years as (

    select distinct buyer_dept_code, winner_uscc, award_year
    from awarded

),

scope as (

    select
        {{ dbt.concat(['winner_years.buyer_dept_code', "'|'", 'winner_years.winner_uscc', "'|'",
                       'cast(winner_years.award_year as ' ~ dbt.type_string() ~ ')']) }}
            as subject_id,
        case when buyer_years.awarded_count < {{ var('p07_min_awarded_tenders') }}
             then 'too_few_awarded_tenders_in_year' end as not_evaluable_reason
    from winner_years
    inner join buyer_years
        on winner_years.buyer_dept_code = buyer_years.buyer_dept_code
        and winner_years.award_year = buyer_years.award_year

),

final as (

    {{ coverage_select('P07', 'scope') }}

)

select * from final
