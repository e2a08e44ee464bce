-- P07 中标集中: in a calendar year (of awarded_at) with p07_min_awarded_tenders (5) or more
-- awarded tenders of a buyer, one winner has p07_min_winner_share (50%) or more of them.
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
        {{ json_array_agg('tender_id', 'awarded_at, tender_id') }} as won_tender_ids
    from awarded
    group by buyer_dept_code, winner_uscc, award_year

),

concentrated as (

    select
        winner_years.*,
        buyer_years.awarded_count,
        cast(winner_years.won_count as double precision) / buyer_years.awarded_count as won_share
    from winner_years
    inner join buyer_years
        on winner_years.buyer_dept_code = buyer_years.buyer_dept_code
        and winner_years.award_year = buyer_years.award_year
    where buyer_years.awarded_count >= {{ var('p07_min_awarded_tenders') }}
        and winner_years.won_count >= {{ var('p07_min_winner_share') }} * buyer_years.awarded_count

),

alert_rows as (

    select
        {{ dbt.concat(['buyer_dept_code', "'|'", 'winner_uscc', "'|'",
                       'cast(award_year as ' ~ dbt.type_string() ~ ')']) }} as subject_id,
        buyer_dept_code as dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        won_share as metric_value,
        {{ var('p07_min_winner_share') }} as threshold_value,
        {{ json_object([
            ('buyer_dept_code', 'buyer_dept_code'),
            ('winner_uscc', 'winner_uscc'),
            ('year', 'award_year'),
            ('awarded_tenders_of_buyer', 'awarded_count'),
            ('won_tenders', 'won_count'),
            ('won_tender_ids', json_value('won_tender_ids')),
            ('p07_min_awarded_tenders', var('p07_min_awarded_tenders')),
            ('p07_min_winner_share', var('p07_min_winner_share')),
        ]) }} as evidence
    from concentrated

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
