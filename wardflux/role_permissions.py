"""Django model permissions for the role groups, so the admin site follows the roles too.

The API checks roles itself (wardflux.permissions); the admin site checks Django model
permissions, so each group gets the ones matching its role after every migrate:
admin everything; manager views all our apps' models and writes the inventory (and the
models other apps list in MANAGER_WRITES); viewer views; technician nothing, because
the admin site cannot limit them to their assigned devices (they use the API and console).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .roles import Role

# Apps whose models managers and viewers may see in the admin site.
PRODUCT_APPS = ["monitoring", "alerts", "discovery", "zabbix_bridge", "django_celery_beat"]
# "app_label.model" that managers may add, change and delete. Apps append theirs.
MANAGER_WRITES = {
    "monitoring.device",
    "monitoring.tag",
    "monitoring.monitoringtemplate",
    "monitoring.templateitem",
    "monitoring.monitoringitem",
    "alerts.alertrule",
    "discovery.discoveryrule",
    "discovery.discoveryjob",
}


def _of_models(names: set[str]) -> Q:
    q = Q(pk__in=[])
    for name in names:
        app_label, model = name.split(".")
        q |= Q(content_type__app_label=app_label, content_type__model=model)
    return q


def sync_role_permissions() -> None:
    """Give each existing role group exactly the permissions its role implies. Idempotent."""
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
    views = Permission.objects.filter(
        content_type__app_label__in=PRODUCT_APPS, codename__startswith="view_"
    )
    wanted = {
        Role.ADMIN: Permission.objects.all(),
        Role.MANAGER: views | Permission.objects.filter(_of_models(MANAGER_WRITES)),
        Role.VIEWER: views,
        Role.TECHNICIAN: Permission.objects.none(),
    }
    for role, perms in wanted.items():
        group = groups.get(role.value)
        if group is not None:
            group.permissions.set(perms.distinct())
