-- marts.supervision_ledger (outputs.md): the 督办台账, one row per alert the ledger has
-- ever registered, firing or not, with its current workflow state and whether handling
-- is itself overdue (督办超期). State and history live in the ledger store; this model
-- only joins the copies of it (source ledger) that ledger.sync writes.
with

register as (

    select * from {{ source('ledger', 'alert_register') }}

),

state as (

    select * from {{ source('ledger', 'state') }}

),

final as (

    select
        ---------- ids
        register.alert_id,
        register.rule_code,
        register.rule_family,
        register.severity,
        register.subject_type,
        register.subject_id,
        register.dept_code,
        register.staff_id,

        ---------- detection
        cast(register.first_detected_on as date) as first_detected_on,
        cast(register.last_seen_on as date) as last_seen_on,
        register.still_firing = 1 as still_firing,

        ---------- workflow state
        state.status,
        state.assignee,
        state.handling_dept_code,
        cast(state.due_on as date) as due_on,
        state.last_action,
        cast(state.last_action_at as timestamp) as last_action_at,
        state.last_actor,
        state.resolution_note,
        state.actions as action_count,
        cast(state.state_on as date) as state_on,
        coalesce(
            state.status in ('new', 'assigned', 'transferred', 'feedback')
            and cast(state.due_on as date) < cast(state.state_on as date),
            false
        ) as is_handling_overdue

    from register
    inner join state on register.alert_id = state.alert_id

)

select * from final
