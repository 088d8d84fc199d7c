"""The base resource and widgets every app's spreadsheet resources build on.

`PortalResource` knows the user who imports: each row must stay inside what that user may see
(portal.scoping) and needs the user's add or change permission; lookup and parsing failures
become translated, field-level validation errors so the preview can name the column.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.resources import ModelResource

from portal import roles
from portal.scoping import community_ids, donor_ids, scope


def cell_text(value):
    """A cell as stripped text ('' for an empty cell; 12.0 from a spreadsheet becomes '12')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- Widgets: parse cells, fail with a message a person can act on ---------------------------


class TextWidget(widgets.CharWidget):
    """Text cells, stripped; an empty cell is '' (never NULL for a CharField)."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class IntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None


class YesNoWidget(widgets.BooleanWidget):
    """是/否, yes/no, true/false, 1/0; an empty cell takes the field's default."""

    TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
    FALSE = {"否", "n", "no", "false", "0", "×"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if not text:
            return None
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("“%(value)s” is neither yes (是) nor no (否).") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return _("Yes") if value else _("No")


class ChoiceWidget(widgets.Widget):
    """A choice given by its code or its label (in Chinese or English); exported as the label."""

    def __init__(self, choices, **kwargs):
        self.choices = list(getattr(choices, "choices", choices))
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        for code, label in self.choices:
            names = {str(code).lower()}
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    names.add(str(label).lower())
            if text.lower() in names:
                return code
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": "、".join(str(label) for _code, label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class LookupWidget(widgets.ForeignKeyWidget):
    """A related record found by a readable column (usually its name), not by its id."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            return super().clean(text, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(self.not_found_message(text, row)) from None
        except self.model.MultipleObjectsReturned:
            raise ValueError(
                _("More than one %(model)s is named “%(value)s”.")
                % {"model": self.model._meta.verbose_name, "value": text}
            ) from None

    def not_found_message(self, value, row):
        return _("There is no %(model)s named “%(value)s”.") % {
            "model": self.model._meta.verbose_name,
            "value": value,
        }

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field, value))


# --- The base resource ------------------------------------------------------------------------


def _follow(instance, lookup):
    """The value at the end of an ORM path on an unsaved instance, or None when a link is empty."""
    value = instance
    for part in lookup.split("__"):
        try:
            value = value.pk if part == "pk" else getattr(value, part)
        except ObjectDoesNotExist:
            return None
        if value is None:
            return None
    return getattr(value, "pk", value)


def instance_in_scope(instance, user):
    """Would `portal.scoping.scope` show this (possibly unsaved) instance to `user`?

    True or False; None when the instance does not yet say where it belongs (an empty required
    link, which its own validation reports).
    """
    model = type(instance)
    if roles.is_subdistrict_admin(user):
        return True
    if getattr(model, "warehouse_visible", False) and roles.has_role(user, roles.WAREHOUSE):
        return True
    rules = []
    if getattr(model, "community_lookup", None) and roles.has_role(user, *roles.STAFF_ROLES):
        rules.append((model.community_lookup, set(community_ids(user))))
    if getattr(model, "donor_lookup", None):
        rules.append((model.donor_lookup, set(donor_ids(user))))
    if getattr(model, "owner_lookup", None):
        rules.append((model.owner_lookup, {user.pk}))
    unknown = False
    for lookup, allowed in rules:
        value = _follow(instance, lookup)
        if value is None and lookup != "pk":
            unknown = True
        elif value in allowed:
            return True
    return None if unknown else False


class PortalResource(ModelResource):
    """Base for every app's resource. Pass `user=` to import or export on someone's behalf.

    With a user, each row must stay inside what that user may see (portal.scoping) and the user
    needs the add permission to create a row and the change permission to update one. Lookups
    and parse failures become ValidationErrors keyed by field, so the preview can name the column.
    Without a user (management commands, tests of the rules themselves) nothing is scoped.
    """

    progress = None

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    class Meta:
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        store_row_values = True
        store_instance = True  # the preview shows each row as it will be stored
        use_transactions = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        internal = f.get_internal_type() if hasattr(f, "get_internal_type") else ""
        if f.choices:
            return lambda **kwargs: ChoiceWidget(f.choices)
        if internal in {"CharField", "TextField", "SlugField", "EmailField", "URLField"}:
            return TextWidget
        if internal.endswith("IntegerField") and not f.is_relation:
            return IntegerWidget
        if internal == "BooleanField":
            return YesNoWidget
        return super().widget_from_django_field(f, default)

    # Column headers may come in Chinese (the export's own) or as the English label or the
    # field's name; everything is mapped to the resource's column names before importing.
    def header_aliases(self):
        aliases = {}
        model = self._meta.model
        for name, field in self.fields.items():
            candidates = {field.column_name, name, field.attribute or ""}
            try:
                verbose = model._meta.get_field(name).verbose_name
            except Exception:  # noqa: BLE001 - not a model field (a helper column)
                verbose = None
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    candidates.add(str(field.column_name))
                    if verbose:
                        candidates.add(str(verbose))
            for candidate in candidates:
                if candidate:
                    aliases.setdefault(candidate.strip().lower(), field.column_name)
        return aliases

    def column_label(self, key):
        """The column header that an error keyed by `key` (field name or attribute) belongs to."""
        if key in self.fields:
            return str(self.fields[key].column_name)
        for field in self.fields.values():
            if field.attribute in {key, f"{key}_id"}:
                return str(field.column_name)
        try:
            return str(capfirst(self._meta.model._meta.get_field(key).verbose_name))
        except Exception:  # noqa: BLE001 - unknown key: show it as is
            return key

    def required_columns(self):
        return [str(self.fields[name].column_name) for name in self.get_import_id_fields()]

    def get_instance(self, instance_loader, row):
        # A lookup that fails while finding the existing record is reported, field by field,
        # by import_instance(); here it just means "no existing record".
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.number = kwargs.get("row_number")
        if self.progress is not None:  # a background import's row counter (importexport.jobs)
            self.progress()
        return row_result

    def _perm(self, action):
        opts = self._meta.model._meta
        return f"{opts.app_label}.{action}_{opts.model_name}"

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if self.user is None:
            return
        name = self._meta.model._meta.verbose_name
        if new and not self.user.has_perm(self._perm("add")):
            raise ValidationError(_("You may not add a new %(model)s.") % {"model": name})
        if not new:
            if not self.user.has_perm(self._perm("change")):
                raise ValidationError(_("You may not change a %(model)s.") % {"model": name})
            visible = scope(self._meta.model._default_manager.filter(pk=instance.pk), self.user)
            if not visible.exists():
                raise ValidationError(self.out_of_scope_message(instance))

    def out_of_scope_message(self, obj):
        return _("“%(object)s” is outside the communities you serve.") % {"object": obj}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self.user is not None and not errors:
            if instance_in_scope(instance, self.user) is False:
                key, target = self.scope_error_target(instance)
                errors.setdefault(key, []).append(
                    ValidationError(self.out_of_scope_message(target))
                )
        super().validate_instance(instance, errors, validate_unique)

    def scope_error_target(self, instance):
        """The field to blame when a row points outside the user's scope, and its value."""
        lookup = getattr(type(instance), "community_lookup", None) or "pk"
        first = lookup.split("__")[0]
        if first == "pk":
            return NON_FIELD_ERRORS, instance
        return first, getattr(instance, first, instance)


# --- Files, imports and their problems -------------------------------------------------------
