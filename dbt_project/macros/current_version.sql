{#- Current version per business key (rules.md, current version; sources.md): the latest
    version_column wins; on a tie the file whose name sorts last, then the later line.
    Sources without a version column: the later file name alone (then the later line).
    Returns the relation's rows with a 1-based `version_rank` (1 = current) so callers
    filter `where version_rank = 1`; portable (no QUALIFY). -#}
{% macro ranked_versions(relation, key_columns, version_column=none) -%}
    select
        *,
        row_number() over (
            partition by {{ key_columns | join(', ') }}
            order by
                {% if version_column %}{{ version_column }} desc nulls last,{% endif %}
                _file_name desc,
                _line desc
        ) as version_rank
    from {{ relation }}
{%- endmacro %}
