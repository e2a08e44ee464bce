-- P07 中标集中: in a calendar year (of awarded_at) with p07_min_awarded_tenders (5) or more
-- awarded tenders of a buyer, one winner has p07_min_winner_share (50%) or more of them.
with

buyer_winner_years as (

    select * from {{ ref('int_buyer_winner_years') }}

),

concentrated as (

    select
        *,
        cast(won_count as {{ type_double() }}) / awarded_count as won_share
    from buyer_winner_years
    where awarded_count >= {{ var('p07_min_awarded_tenders') }}
        and won_count >= {{ var('p07_min_winner_share') }} * awarded_count

),

alert_rows as (

    select
        {{ dbt.concat(['buyer_dept_code', "'|'", 'winner_uscc', "'|'",
                       'cast(award_year as ' ~ dbt.type_string() ~ ')']) }} as subject_id,
        buyer_dept_code as dept_code,
        cast(null as {{ dbt.type_string() }}) as staff_id,
        won_share as metric_value,
        {{ var('p07_min_winner_share') }} as threshold_value,
        last_awarded_on as occurred_on,
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
