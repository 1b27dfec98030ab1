{#-
    What this run published to SQLite: the write staged beside the gate,
    committed by the post-hook once the gate passed.
-#}
-- depends_on: {{ ref('persona_gate_violations') }}
-- depends_on: {{ ref('persona_gate_result') }}

select * from {{ ref('export_persona_assignments_sqlite_staged') }}
