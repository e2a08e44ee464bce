-- One row per current case with its handler and whether it is a refusal (rule F06). A
-- refusal is a case with status 不予受理 or 退件, result
-- 不予, or a REFUSE event; a case's handler is handler_staff_id, else the staff of its
-- first REFUSE event.
with

cases as (

    select * from {{ ref('stg_cases') }}

),

events as (

    select * from {{ ref('stg_case_events') }}
    where event_type = 'REFUSE'

),

refuse_events as (

    select
        case_id,
        staff_id,
        row_number() over (partition by case_id order by event_seq) as refuse_rank
    from events

),

judged as (

    select
        cases.case_id,
        cases.dept_code,
        cases.item_code,
        coalesce(cases.handler_staff_id, refuse_events.staff_id) as handler_staff_id,
        cases.status in ('不予受理', '退件')
            or coalesce(cases.result, '') = '不予'
            or refuse_events.case_id is not null as is_refusal
    from cases
    left join refuse_events
        on cases.case_id = refuse_events.case_id
        and refuse_events.refuse_rank = 1

)

select * from judged
