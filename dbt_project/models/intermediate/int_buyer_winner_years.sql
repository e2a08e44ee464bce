-- Per buyer, winner and calendar year of awarded_at (P07): the tenders the winner won
-- (and the date of the last one: P07's occurred_on) and the buyer's awarded tenders that
-- year. P07 and its coverage both read this, so the
-- rule and the count of what it evaluated cannot drift apart.
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
        awards.tender_id,
        awards.awarded_at,
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

    select
        buyer_dept_code,
        winner_uscc,
        award_year,
        count(*) as won_count,
        {{ json_array_agg('tender_id', 'awarded_at, tender_id') }} as won_tender_ids,
        max(cast(awarded_at as date)) as last_awarded_on
    from awarded
    group by buyer_dept_code, winner_uscc, award_year

),

final as (

    select
        winner_years.buyer_dept_code,
        winner_years.winner_uscc,
        winner_years.award_year,
        winner_years.won_count,
        winner_years.won_tender_ids,
        winner_years.last_awarded_on,
        buyer_years.awarded_count
    from winner_years
    inner join buyer_years
        on winner_years.buyer_dept_code = buyer_years.buyer_dept_code
        and winner_years.award_year = buyer_years.award_year

)

select * from final
