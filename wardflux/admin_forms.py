"""Admin form pieces: secrets are write-only inputs; an empty input keeps the stored secret."""

from django import forms


class SecretInput(forms.PasswordInput):
    def __init__(self, attrs=None):
        super().__init__(
            attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False
        )


class SecretsForm(forms.ModelForm):
    """A ModelForm whose `secret_fields` never render their value and keep it when left empty."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            field.widget = SecretInput()
            field.required = False
            stored = bool(self.instance.pk and getattr(self.instance, name))
            field.help_text = "A secret is stored; leave empty to keep it." if stored else ""
            # Never put the stored secret into the page, not even as the initial value.
            self.initial[name] = ""

    def clean(self):
        data = super().clean()
        for name in self.secret_fields:
            if name in data and not data[name] and self.instance.pk:
                data[name] = getattr(self.instance, name)
                setattr(self.instance, name, data[name])
        return data
