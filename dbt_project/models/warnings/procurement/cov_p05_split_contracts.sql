-- Coverage of P05: buyer|winner pairs with an awarded tender not by 公开招标. A pair that
-- did not fire while one of those tenders lacks estimated_value or published_at is not
-- evaluable (the missing tender might complete a group).
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

awards as (

    select * from {{ ref('stg_awards') }}

),

alerts as (

    select * from {{ ref('warn_p05_split_contracts') }}

),

pairs as (

    select
        {{ dbt.concat(['tenders.buyer_dept_code', "'|'", 'awards.winner_uscc']) }} as subject_id,
        sum(case when tenders.estimated_value is null or tenders.published_at is null
                 then 1 else 0 end) as incomplete_count
    from tenders
    inner join awards on tenders.tender_id = awards.tender_id
    where tenders.procedure_type <> '公开招标'
        and awards.winner_uscc is not null
    group by tenders.buyer_dept_code, awards.winner_uscc

),

scope as (

    select
        pairs.subject_id,
        case when pairs.incomplete_count > 0 and alerts.subject_id is null
             then 'estimated_value_or_published_at_missing' end as not_evaluable_reason
    from pairs
    left join alerts on pairs.subject_id = alerts.subject_id

),

final as (

    {{ coverage_select('P05', 'scope') }}

)

select * from final
