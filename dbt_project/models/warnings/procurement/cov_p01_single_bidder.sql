-- Coverage of P01: tenders by one of p01_procedures (公开招标, 邀请招标); each is judged.
with

tenders as (

    select * from {{ ref('stg_tenders') }}

),

scope as (

    select tender_id as subject_id, cast(null as {{ dbt.type_string() }}) as not_evaluable_reason
    from tenders
    where procedure_type in ({{ "'" ~ var('p01_procedures') | join("', '") ~ "'" }})

),

final as (

    {{ coverage_select('P01', 'scope') }}

)

select * from final
