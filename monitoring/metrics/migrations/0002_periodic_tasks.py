"""The rollup state row and the store's periodic tasks (django-celery-beat rows)."""

from django.db import migrations, router
from django.utils import timezone

TASKS = [
    # (PeriodicTask name, task, every seconds)
    ("metrics:rollup", "metrics.rollup_trends", 300),
    ("metrics:retention", "metrics.apply_retention", 3600),
    ("metrics:replay-spool", "metrics.replay_spool", 30),
]


def create(apps, schema_editor):
    # The database being migrated, not the routers' choice: with a separate metrics
    # database (METRICS_SQL_DATABASE) each gets its tables' rows when it is migrated.
    db = schema_editor.connection.alias
    apps.get_model("metrics", "RollupState").objects.using(db).get_or_create(pk=1)
    if not router.allow_migrate(db, "django_celery_beat"):
        return  # a separate metrics database: beat's rows are the configuration database's
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every in TASKS:
        schedule, _ = interval_model.objects.using(db).get_or_create(every=every, period="seconds")
        task_model.objects.using(db).update_or_create(
            name=name, defaults={"task": task, "interval": schedule, "enabled": True}
        )
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.using(db).update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def remove(apps, schema_editor):
    if not router.allow_migrate(schema_editor.connection.alias, "django_celery_beat"):
        return
    names = [name for name, _, _ in TASKS]
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    task_model.objects.using(schema_editor.connection.alias).filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
