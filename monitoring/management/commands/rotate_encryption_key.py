"""Re-encrypt every stored secret under the newest key of WARD_ENCRYPTION_KEY."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from wardflux.crypto import encrypted_fields, rotate


def rotate_table(model) -> int:
    """Rotate the raw Fernet tokens of one model's encrypted columns; the secrets stay unseen."""
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    columns = [model._meta.get_field(name).column for name in encrypted_fields(model)]
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(map(qn, columns))} FROM {table}")
        rows = cursor.fetchall()
        for row_pk, *tokens in rows:
            for column, token in zip(columns, tokens, strict=True):
                if not token:
                    continue
                cursor.execute(
                    f"UPDATE {table} SET {qn(column)} = %s WHERE {pk} = %s", [rotate(token), row_pk]
                )
                count += 1
    return count


class Command(BaseCommand):
    help = "Re-encrypt every secret under the first (newest) key in WARD_ENCRYPTION_KEY."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        total = sum(rotate_table(m) for m in apps.get_models() if encrypted_fields(m))
        self.stdout.write(f"re-encrypted {total} secrets under the newest key")
