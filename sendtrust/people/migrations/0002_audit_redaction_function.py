from django.db import migrations

# The one path by which an audit entry may change (see sendtrust/people/redaction.py): when a
# pupil is anonymised, the names in the entries about them are replaced, and the entries stay.
# The audit table refuses UPDATE through its triggers (and, in production, the application's
# role holds no UPDATE right on it). This function runs as its owner (SECURITY DEFINER), lifts
# the table's own triggers for one UPDATE inside the caller's transaction (DDL is transactional
# in PostgreSQL, and ALTER TABLE holds an exclusive lock, so no other writer sees the gap), and
# changes nothing but `object_repr` and the names inside `detail` of one pupil's entries.
FORWARD = """
CREATE OR REPLACE FUNCTION people_redact_audit(p_code uuid, p_label text, p_names text[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
    nm text;
    clean_detail text;
BEGIN
    ALTER TABLE access_auditentry DISABLE TRIGGER USER;
    UPDATE access_auditentry SET object_repr = p_label WHERE pupil_code = p_code;
    GET DIAGNOSTICS n = ROW_COUNT;
    FOREACH nm IN ARRAY p_names LOOP
        IF length(nm) > 1 THEN
            UPDATE access_auditentry
               SET detail = replace(detail::text, nm, '[removed]')::jsonb
             WHERE pupil_code = p_code AND strpos(detail::text, nm) > 0;
        END IF;
    END LOOP;
    ALTER TABLE access_auditentry ENABLE TRIGGER USER;
    RETURN n;
END;
$$;
REVOKE ALL ON FUNCTION people_redact_audit(uuid, text, text[]) FROM PUBLIC;
"""
BACKWARD = "DROP FUNCTION IF EXISTS people_redact_audit(uuid, text, text[]);"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial"), ("access", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
