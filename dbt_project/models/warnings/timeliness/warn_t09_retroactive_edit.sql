-- T09 事后篡改: a version later than the first one that showed the case as 已办结 has a
-- submitted_at, accepted_at or completed_at distinct from that version's (null counts as
-- a value). Reads the version history, not only the current version.
with

versions as (

    -- an edit needs a version after the first completed one: single-version cases (most
    -- of them) cannot fire and are not read further
    select * from {{ ref('stg_cases_versions') }}
    where version_count > 1

),

cases as (

    select * from {{ ref('stg_cases') }}

),

first_completed as (

    select
        case_id,
        min(version_number) as first_completed_version
    from versions
    where status = '已办结'
    group by case_id

),

baseline as (

    select
        versions.case_id,
        versions.version_number,
        versions.updated_at,
        versions.source_file_name,
        versions.submitted_at,
        versions.accepted_at,
        versions.completed_at
    from versions
    inner join first_completed
        on versions.case_id = first_completed.case_id
        and versions.version_number = first_completed.first_completed_version

),

edits as (

    select
        later.case_id,
        later.version_number,
        later.updated_at,
        later.source_file_name,
        later.submitted_at,
        later.accepted_at,
        later.completed_at
    from versions as later
    inner join baseline
        on later.case_id = baseline.case_id
        and later.version_number > baseline.version_number
    where later.submitted_at is distinct from baseline.submitted_at
        or later.accepted_at is distinct from baseline.accepted_at
        or later.completed_at is distinct from baseline.completed_at

),

per_case as (

    select
        case_id,
        count(*) as edited_version_count,
        {{ json_array_agg('updated_at', 'version_number') }} as edited_updated_ats,
        {{ json_array_agg('source_file_name', 'version_number') }} as edited_files,
        {{ json_array_agg('submitted_at', 'version_number') }} as edited_submitted_ats,
        {{ json_array_agg('accepted_at', 'version_number') }} as edited_accepted_ats,
        {{ json_array_agg('completed_at', 'version_number') }} as edited_completed_ats
    from edits
    group by case_id

),

edited as (

    select
        per_case.*,
        cases.dept_code,
        cases.handler_staff_id,
        baseline.updated_at as baseline_updated_at,
        baseline.source_file_name as baseline_file,
        baseline.submitted_at as baseline_submitted_at,
        baseline.accepted_at as baseline_accepted_at,
        baseline.completed_at as baseline_completed_at
    from per_case
    inner join baseline on per_case.case_id = baseline.case_id
    left join cases on per_case.case_id = cases.case_id

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        handler_staff_id as staff_id,
        edited_version_count as metric_value,
        0 as threshold_value,
        {{ json_element_date('edited_updated_ats', 0) }} as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('first_completed_version_updated_at', 'baseline_updated_at'),
            ('first_completed_version_file', 'baseline_file'),
            ('first_completed_submitted_at', 'baseline_submitted_at'),
            ('first_completed_accepted_at', 'baseline_accepted_at'),
            ('first_completed_completed_at', 'baseline_completed_at'),
            ('edited_version_count', 'edited_version_count'),
            ('edited_versions_updated_at', json_value('edited_updated_ats')),
            ('edited_versions_file', json_value('edited_files')),
            ('edited_submitted_at', json_value('edited_submitted_ats')),
            ('edited_accepted_at', json_value('edited_accepted_ats')),
            ('edited_completed_at', json_value('edited_completed_ats')),
        ]) }} as evidence
    from edited

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
