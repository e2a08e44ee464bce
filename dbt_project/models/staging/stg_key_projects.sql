-- Key project milestones (重点项目), one row per (project_id, milestone), current version
-- (no updated_at: the later file by name wins).
with

source as (

    {{ ranked_versions(source('raw', 'key_projects'), ['project_id', 'milestone']) }}

),

renamed as (

    select
        ----------  ids
        project_id,
        milestone,
        dept_code,

        ---------- text
        project_name,

        ---------- dates
        planned_on,
        completed_on,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
