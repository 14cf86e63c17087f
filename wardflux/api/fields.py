"""Serializer pieces shared by every app."""

from rest_framework import serializers


class WriteOnlySecretField(serializers.CharField):
    """A secret the API accepts but never returns, not even encrypted.

    Omitted or empty on update keeps the stored secret (as the admin does).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)


def keep_blank_secrets(instance, attrs: dict, names: list[str]) -> dict:
    """On update, drop blank secrets so the stored ones stay."""
    if instance is not None:
        for name in names:
            if name in attrs and not attrs[name]:
                attrs.pop(name)
    return attrs
