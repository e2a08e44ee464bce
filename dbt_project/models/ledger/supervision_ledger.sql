-- marts.supervision_ledger (outputs.md): the 督办台账, one row per alert the ledger has
-- ever registered, firing or not, with its current workflow state and whether handling
-- is itself overdue (督办超期). State and history live in the ledger store; this model
-- only joins the copies of it (source ledger) that ledger.sync writes. A view: the copies
-- are rewritten after the build, when the run's alerts are registered, and the view
-- shows them without dbt running again (ledger/sync.py).
-- Assignees and actors are typed by office staff and are usually people's names: the
-- mart carries them as a masked display form (李*) under their own names and a keyed
-- pseudonym (`_key`, equal keys are the same person) beside them (outputs.md, Privacy);
-- the keys come with the copy (ledger.sync.export): a view cannot call the pseudonym
-- function, which lives on the connection that registered it (searchlight/dbt_plugin.py).
-- Notes are free text that may name people: they stay in the ledger store, where
-- `searchlight ledger show` reads them, and never reach the marts.
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
        {{ mask_name('state.assignee') }} as assignee,
        state.assignee_key,
        state.handling_dept_code,
        cast(state.due_on as date) as due_on,
        state.last_action,
        cast(state.last_action_at as timestamp) as last_action_at,
        {{ mask_name('state.last_actor') }} as last_actor,
        state.last_actor_key,
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
