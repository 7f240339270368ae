"""The clients' search on PostgreSQL: a trigram index on the code, name and tax id, joined
by spaces and folded (without accents, in small letters: "c075001 veterinaria roble
b00075001"), so that a substring search reads the index instead of every client. One text,
one index: a search reads one index and folds each candidate once.

`hexa_fold(text)` is an immutable SQL wrapper around the `unaccent` extension (whose own
function is only stable: it reads a dictionary, so it cannot be indexed as is); its body names
the extension's schema, so that a restore with an empty search_path still finds it. Its
declared cost is high, as it is: otherwise the planner would rather walk the clients in the
order asked and fold each one until a page is found (0.5 s for a rare word) than read the
matches from the trigram index and sort them (8 ms). SQLite has
no such index (a scan of 10,000 clients is fast) and gets `hexa_fold` from Python
(hexa.crm.search). The index is built CONCURRENTLY, so writers are never locked out while it
is built (hence atomic = False); at 100,000 clients this takes a few seconds.
Both extensions are "trusted": the database's owner may create them without superuser rights.
"""

from django.db import migrations

INDEX = "crm_client_search_trgm"
# hexa.crm.search.client_search_text(): a query repeats this expression exactly.
TEXT = "hexa_fold((code || ' ' || name || ' ' || tax_id))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname IN ('unaccent', 'pg_trgm') ORDER BY e.extname"
        )
        trgm, unaccent = (schema_editor.quote_name(row[0]) for row in cursor.fetchall())
        cursor.execute(
            "CREATE OR REPLACE FUNCTION hexa_fold(value text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT COST 5000 AS "
            f"$$ SELECT lower({unaccent}.unaccent('{unaccent}.unaccent'::regdictionary, value)) $$"
        )
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON crm_client "
            f"USING gin ({TEXT} {trgm}.gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        cursor.execute("DROP FUNCTION IF EXISTS hexa_fold(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("crm", "0006_log_by_email")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
