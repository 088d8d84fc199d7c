"""Spreadsheets in and out of the Wagtail admin, through django-import-export.

Neither Wagtail nor django-import-export ships an integration for the other; this is ours, and
every app uses it the same way (see docs/importexport.md):

- `PortalResource`: the base for each app's `ModelResource`. It knows the user who imports, keeps
  every row inside that user's scope (portal.scoping) and permissions, and turns lookup and
  parsing failures into translated, field-level messages.
- `ImportExportViewSetMixin`: put it before `ModelViewSet` / `SnippetViewSet` and set
  `import_resource_class` / `export_resource_class`. The listing gets Import and Export buttons;
  export writes exactly the scoped, filtered and searched listing as xlsx or csv; import uploads a
  file, runs it as a dry run, previews the rows and every bad row's number, column and reason, and
  imports for real only on confirmation, re-validating the stored file.

All or nothing: an import runs in one transaction that is rolled back when any row is invalid
or fails, so a file with a bad row writes nothing.
"""

import logging
import secrets
from dataclasses import dataclass

import tablib
from django import forms
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from import_export import widgets
from import_export.resources import ModelResource
from import_export.results import RowResult
from wagtail.admin import messages
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, HeaderButton

from portal import roles
from portal.scoping import community_ids, donor_ids, scope

logger = logging.getLogger(__name__)

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
STASH_SECONDS = 60 * 60
PREVIEW_ROWS = 200


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
            "model": self.model._meta.verbose_name, "value": value,
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

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    class Meta:
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        store_row_values = True
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


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is translated and shown as is."""


def read_dataset(content, file_format, resource):
    """Parse an uploaded xlsx/csv file into a Dataset with the resource's column names."""
    try:
        if file_format == "csv":
            for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
                try:
                    text = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK text."))
            dataset = tablib.Dataset().load(text, format="csv")
        elif file_format == "xlsx":
            dataset = tablib.Dataset().load(content, format="xlsx")
        else:
            raise ImportFileError(_("Upload an .xlsx or .csv file."))
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a readable file"
        logger.info("unreadable import file: %s", exc)
        raise ImportFileError(
            _("The file could not be read as %(format)s.") % {"format": file_format}
        ) from exc
    if not dataset.headers:
        raise ImportFileError(_("The file is empty."))

    aliases = resource.header_aliases()
    dataset.headers = [aliases.get(cell_text(h).lower(), cell_text(h)) for h in dataset.headers]
    missing = [c for c in resource.required_columns() if c not in dataset.headers]
    if missing:
        raise ImportFileError(
            _("The file lacks the column(s): %(columns)s.") % {"columns": "、".join(missing)}
        )
    # Spreadsheets often carry empty rows at the end; they are not rows to import.
    while len(dataset) and not any(cell_text(v) for v in dataset[-1]):
        del dataset[-1]
    if not len(dataset):
        raise ImportFileError(_("The file has no rows under its header."))
    return dataset


def run_import(resource, dataset, *, dry_run):
    """Import all or nothing: one transaction, rolled back on any invalid or failed row."""
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def import_failed(result):
    return result.has_errors() or result.has_validation_errors()


@dataclass
class RowProblem:
    row: int | None  # the spreadsheet's row number (the header is row 1); None: the whole file
    field: str  # the column header; "" when the problem is about the row as a whole
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        where = _("Row %(number)s") % {"number": self.row}
        if self.field:
            return _("%(row)s · %(field)s: %(message)s") % {
                "row": where, "field": self.field, "message": self.message,
            }
        return _("%(row)s: %(message)s") % {"row": where, "message": self.message}


def _exception_message(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    logger.warning("import row failed", exc_info=exc)
    return _("This row could not be saved (%(error)s).") % {"error": exc}


def describe_problems(resource, result):
    """Every problem of an import result, in row order, with row numbers as the file shows them."""
    problems = [RowProblem(None, "", _exception_message(e.error)) for e in result.base_errors]
    for invalid in result.invalid_rows:
        for key, messages_ in invalid.error_dict.items():
            field = "" if key == NON_FIELD_ERRORS else resource.column_label(key)
            problems.extend(RowProblem(invalid.number + 1, field, m) for m in messages_)
    for number, errors in result.row_errors():
        problems.extend(RowProblem(number + 1, "", _exception_message(e.error)) for e in errors)
    problems.sort(key=lambda p: p.row or 0)
    return problems


def stash_upload(user, model, file_format, filename, content):
    """Keep an uploaded file between preview and confirmation; returns its token.

    The cache is shared by every web process in production (Redis), so the confirmation may land
    on another process. The token is bound to the user and the model.
    """
    token = secrets.token_urlsafe(18)
    cache.set(f"importexport:{token}", {
        "user": user.pk, "model": model._meta.label_lower, "format": file_format,
        "filename": filename, "content": content,
    }, STASH_SECONDS)
    return token


def load_upload(token, user, model):
    stash = cache.get(f"importexport:{token}")
    if not stash or stash["user"] != user.pk or stash["model"] != model._meta.label_lower:
        return None
    return stash


def claim_upload(token):
    """Take the stored file for a confirmed import; False when another request already has it
    (a double click), so one file is imported once."""
    return cache.delete(f"importexport:{token}")


def restore_upload(token, stash):
    cache.set(f"importexport:{token}", stash, STASH_SECONDS)


def spreadsheet_response(dataset, file_format, basename):
    if file_format == "csv":
        body = dataset.export("csv").encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    else:
        body = dataset.export("xlsx")
    response = HttpResponse(body, content_type=FORMATS[file_format])
    response["Content-Disposition"] = content_disposition_header(
        True, f"{basename}.{file_format}"
    )
    return response


# --- Views -----------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet file"),
        help_text=gettext_lazy("An .xlsx or .csv file whose first row holds the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, resource=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource

    def clean_file(self):
        upload = self.cleaned_data["file"]
        file_format = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if file_format not in FORMATS:
            raise ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        content = upload.read()
        try:
            read_dataset(content, file_format, self.resource)
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from exc
        self.file_format, self.content = file_format, content
        return upload


class BaseImportExportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    model = None
    index_url_name = None
    import_url_name = None
    import_preview_url_name = None
    resource_class = None
    header_icon = "upload"
    any_permission_required = ["add", "change"]
    title_template = "%(model)s"

    def get_resource(self):
        return self.resource_class(user=self.request.user)

    @cached_property
    def index_url(self):
        return reverse(self.index_url_name)

    def get_page_title(self):
        return self.title_template % {"model": self.model._meta.verbose_name_plural}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": self.index_url, "label": capfirst(self.model._meta.verbose_name_plural)},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resource = self.get_resource()
        context.update({
            "index_url": self.index_url,
            "columns": [str(f.column_name) for f in resource.get_import_fields()],
            "required_columns": resource.required_columns(),
            "model_name": self.model._meta.verbose_name,
            "model_name_plural": self.model._meta.verbose_name_plural,
        })
        return context


class ImportView(BaseImportExportView):
    """Upload a file; it is checked for readability and the right columns, then previewed."""

    template_name = "portal/importexport/import.html"
    title_template = gettext_lazy("Import %(model)s")

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        return ImportForm(data, files, resource=self.get_resource())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        token = stash_upload(request.user, self.model, form.file_format,
                             form.cleaned_data["file"].name, form.content)
        return HttpResponseRedirect(reverse(self.import_preview_url_name, args=[token]))


class ImportPreviewView(BaseImportExportView):
    """GET: a dry run and its preview. POST: the confirmed import, re-validated, all or nothing."""

    template_name = "portal/importexport/preview.html"
    title_template = gettext_lazy("Import %(model)s: preview")

    def dispatch(self, request, *args, **kwargs):
        self.token = kwargs["token"]
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        stash = load_upload(self.token, self.request.user, self.model)
        if stash is None:
            return None, None
        resource = self.get_resource()
        try:
            dataset = read_dataset(stash["content"], stash["format"], resource)
        except ImportFileError:
            return stash, None
        return stash, dataset

    def expired(self):
        messages.error(self.request, _("The uploaded file has expired; please upload it again."))
        return HttpResponseRedirect(reverse(self.import_url_name))

    def get(self, request, *args, **kwargs):
        stash, dataset = self.load()
        if dataset is None:
            return self.expired()
        resource = self.get_resource()
        result = run_import(resource, dataset, dry_run=True)
        return self.render_to_response(self.preview_context(stash, dataset, resource, result))

    def post(self, request, *args, **kwargs):
        stash, dataset = self.load()
        if dataset is None or not claim_upload(self.token):
            return self.expired()
        resource = self.get_resource()
        result = run_import(resource, dataset, dry_run=False)
        if import_failed(result):
            restore_upload(self.token, stash)
            messages.error(request, _("Nothing was imported: the file has problems."))
            return self.render_to_response(self.preview_context(stash, dataset, resource, result))
        messages.success(request, _(
            "Imported %(filename)s: %(new)s added, %(updated)s updated."
        ) % {"filename": stash["filename"], "new": result.totals[RowResult.IMPORT_TYPE_NEW],
             "updated": result.totals[RowResult.IMPORT_TYPE_UPDATE]})
        return HttpResponseRedirect(self.index_url)

    def preview_context(self, stash, dataset, resource, result):
        problems = describe_problems(resource, result)
        columns = [h for h in dataset.headers
                   if h in {str(f.column_name) for f in resource.get_import_fields()}]
        rows = [
            {"number": (row.number or 0) + 1, "kind": row.import_type,
             "values": [cell_text((row.row_values or {}).get(c)) for c in columns]}
            for row in result.rows
            if row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        ]
        return self.get_context_data(
            filename=stash["filename"],
            problems=problems,
            bad_rows=len({p.row for p in problems}),
            preview_columns=columns,
            preview_rows=rows[:PREVIEW_ROWS],
            hidden_rows=max(0, len(rows) - PREVIEW_ROWS),
            total_rows=len(dataset),
            new_count=result.totals[RowResult.IMPORT_TYPE_NEW],
            update_count=result.totals[RowResult.IMPORT_TYPE_UPDATE],
            confirm_url=reverse(self.import_preview_url_name, args=[self.token]),
            upload_url=reverse(self.import_url_name),
        )


class ExportViewMixin:
    """Mixed into the viewset's own index view, so the export sees its filters and search."""

    any_permission_required = ["view", "change"]
    export_resource_class = None

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("format", "xlsx")
        if file_format not in FORMATS:
            raise Http404
        queryset = scope(self.get_queryset(), request.user)
        dataset = self.export_resource_class(user=request.user).export(queryset)
        dataset.title = str(self.model._meta.verbose_name_plural)[:31]
        basename = f"{self.model._meta.verbose_name_plural}-{timezone.localdate():%Y%m%d}"
        return spreadsheet_response(dataset, file_format, basename)


class ImportExportIndexViewMixin:
    """Adds the Import and Export buttons to a listing's header."""

    import_url_name = None
    export_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.import_url_name and self.user_has_any_permission({"add", "change"}):
            buttons.append(HeaderButton(
                _("Import"), url=reverse(self.import_url_name), icon_name="upload",
                priority=1100,
            ))
        if self.export_url_name and self.user_has_any_permission({"view", "change"}):
            buttons.append(ButtonWithDropdown(
                label=_("Export"), icon_name="download", priority=1200,
                classname="w-header-button button",
                buttons=[
                    Button(_("Excel (.xlsx)"), url=self.export_url("xlsx"), icon_name="download"),
                    Button(_("CSV (.csv)"), url=self.export_url("csv"), icon_name="download"),
                ],
            ))
        return buttons

    def export_url(self, file_format):
        """The export of what the listing shows now: its search, filters and ordering."""
        query = self.request.GET.copy()
        for key in ("p", "_w_filter_fragment"):
            query.pop(key, None)
        query["format"] = file_format
        return f"{reverse(self.export_url_name)}?{query.urlencode()}"


class ImportExportViewSetMixin:
    """Import and export for a Wagtail `ModelViewSet` or `SnippetViewSet`.

        class CompoundViewSet(ImportExportViewSetMixin, ModelViewSet):
            model = Compound
            import_resource_class = CompoundResource
            export_resource_class = CompoundResource

    Either class may be left out (export only, import only). Both must be `PortalResource`s.
    """

    import_resource_class = None
    export_resource_class = None
    import_view_class = ImportView
    import_preview_view_class = ImportPreviewView
    export_view_mixin = ExportViewMixin

    def get_common_view_kwargs(self, **kwargs):
        extra = {}
        if self.import_resource_class:
            extra["import_url_name"] = self.get_url_name("import")
            extra["import_preview_url_name"] = self.get_url_name("import_preview")
        if self.export_resource_class:
            extra["export_url_name"] = self.get_url_name("export")
        return super().get_common_view_kwargs(**{**extra, **kwargs})

    def construct_view(self, view_class, **kwargs):
        if issubclass(view_class, IndexView) and not issubclass(
            view_class, ImportExportIndexViewMixin
        ):
            view_class = type(view_class.__name__, (ImportExportIndexViewMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)

    @property
    def import_view(self):
        return self.construct_view(self.import_view_class,
                                   resource_class=self.import_resource_class)

    @property
    def import_preview_view(self):
        return self.construct_view(self.import_preview_view_class,
                                   resource_class=self.import_resource_class)

    @property
    def export_view(self):
        view_class = type(
            f"{self.model.__name__}ExportView", (self.export_view_mixin, self.index_view_class), {}
        )
        return self.construct_view(view_class, **self.get_index_view_kwargs(),
                                   export_resource_class=self.export_resource_class)

    def get_urlpatterns(self):
        urlpatterns = super().get_urlpatterns()
        if self.import_resource_class:
            urlpatterns += [
                path("import/", self.import_view, name="import"),
                path("import/<str:token>/", self.import_preview_view, name="import_preview"),
            ]
        if self.export_resource_class:
            urlpatterns.append(path("export/", self.export_view, name="export"))
        return urlpatterns
