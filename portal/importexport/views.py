"""The Wagtail side: Import/Export header buttons, the upload, preview and confirm views, the
export view, and the viewset mixin that wires them into a ModelViewSet or SnippetViewSet."""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from import_export.results import RowResult
from wagtail.admin import messages
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, HeaderButton

from portal import audit
from portal.models import ImportJob
from portal.scoping import scope

from .exports import spreadsheet_response
from .files import (
    FORMATS,
    ImportFileError,
    claim_upload,
    import_failed,
    load_upload,
    read_dataset,
    read_upload,
    restore_upload,
    run_import,
    stash_upload,
)
from .jobs import confirm_job, fail_stale_imports, rows_done, start_job, summarise


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
        try:
            file_format, content = read_upload(upload)
            dataset = read_dataset(content, file_format, self.resource)
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from exc
        self.file_format, self.content, self.rows = file_format, content, len(dataset)
        return upload


class BaseImportExportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    model = None
    index_url_name = None
    import_url_name = None
    import_preview_url_name = None
    export_url_name = None
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
        return [
            *self.breadcrumbs_items,
            {"url": self.index_url, "label": capfirst(self.model._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resource = self.get_resource()
        context.update(
            {
                "index_url": self.index_url,
                "export_url": (
                    reverse(self.export_url_name) + "?format=xlsx" if self.export_url_name else ""
                ),
                "columns": [str(f.column_name) for f in resource.get_import_fields()],
                "required_columns": resource.required_columns(),
                "model_name": self.model._meta.verbose_name,
                "model_name_plural": self.model._meta.verbose_name_plural,
            }
        )
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
        filename = form.cleaned_data["file"].name
        if form.rows > settings.IMPORT_BACKGROUND_ROWS:
            # Too long for a web request: the worker checks it, then imports it once confirmed.
            job = start_job(
                user=request.user,
                model=self.model,
                resource_class=self.resource_class,
                file_format=form.file_format,
                filename=filename,
                content=form.content,
                rows=form.rows,
                urls={"index": self.index_url, "upload": reverse(self.import_url_name)},
            )
            return HttpResponseRedirect(reverse("portal_import_job", args=[job.pk]))
        token = stash_upload(request.user, self.model, form.file_format, filename, form.content)
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
        messages.success(
            request,
            _("Imported %(filename)s: %(new)s added, %(updated)s updated.")
            % {
                "filename": stash["filename"],
                "new": result.totals[RowResult.IMPORT_TYPE_NEW],
                "updated": result.totals[RowResult.IMPORT_TYPE_UPDATE],
            },
        )
        return HttpResponseRedirect(self.index_url)

    def preview_context(self, stash, dataset, resource, result):
        return self.get_context_data(
            filename=stash["filename"],
            confirm_url=reverse(self.import_preview_url_name, args=[self.token]),
            upload_url=reverse(self.import_url_name),
            **summarise(resource, dataset, result),
        )


class ImportJobView(WagtailAdminTemplateMixin, TemplateView):
    """A background import (portal.importexport.jobs), seen by the person who uploaded it:
    while the worker runs, rows done out of the total (the page refreshes itself); then the
    preview with its problems or the confirm button; then the outcome of the import."""

    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        fail_stale_imports()  # a killed worker's job shows as failed as soon as someone looks
        self.job = get_object_or_404(ImportJob, pk=kwargs["pk"], user=request.user)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def resource(self):
        return import_string(self.job.resource_path)(user=self.request.user)

    @cached_property
    def model(self):
        return self.resource._meta.model

    def get_page_title(self):
        return _("Import %(model)s") % {"model": self.model._meta.verbose_name_plural}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.job.index_url, "label": capfirst(self.model._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_template_names(self):
        job = self.job
        if not job.finished:
            return ["portal/importexport/progress.html"]
        return ["portal/importexport/preview.html"]

    def get_context_data(self, **kwargs):
        job = self.job
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "job": job,
                "filename": job.filename,
                "index_url": job.index_url,
                "upload_url": job.upload_url,
                "confirm_url": self.request.path,
                "rows_done": rows_done(job),
                "rows_total": job.rows_total,
                "refresh_seconds": 2,
                "model_name_plural": self.model._meta.verbose_name_plural,
                **{"total_rows": job.rows_total, "new_count": 0, "update_count": 0},
                **job.result,
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        job = self.job
        if job.finished and job.kind == ImportJob.Kind.IMPORT and not job.result.get("problems"):
            messages.success(request, self.imported_message())
            return HttpResponseRedirect(job.index_url)
        if job.finished and job.kind == ImportJob.Kind.IMPORT:
            messages.error(request, _("Nothing was imported: the file has problems."))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not confirm_job(self.job):
            messages.error(request, _("This import has already been confirmed."))
        return HttpResponseRedirect(request.path)

    def imported_message(self):
        result = self.job.result
        return _("Imported %(filename)s: %(new)s added, %(updated)s updated.") % {
            "filename": self.job.filename,
            "new": result.get("new_count", 0),
            "updated": result.get("update_count", 0),
        }


class ExportViewMixin:
    """Mixed into the viewset's own index view, so the export sees its filters and search.

    An export carries people's data out of the portal: the person must have proved it is still
    them in the last few minutes (allauth's reauthentication, ACCOUNT_REAUTHENTICATION_TIMEOUT),
    after the permission check of the view."""

    any_permission_required = ["view", "change"]
    export_resource_class = None

    @method_decorator(reauthentication_required)
    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("format", "xlsx")
        if file_format not in FORMATS:
            raise Http404
        queryset = scope(self.get_queryset(), request.user)
        # Numbers and dates as themselves in xlsx (as import-export's own admin does for binary
        # formats); csv gets the widgets' text.
        dataset = self.export_resource_class(user=request.user).export(
            queryset, force_native_type=file_format == "xlsx"
        )
        audit.record_export(request, queryset, file_format, query=request.GET.urlencode()[:500])
        sheet = self.model._meta.verbose_name_plural
        basename = f"{sheet}-{timezone.localdate():%Y%m%d}"
        return spreadsheet_response(dataset, file_format, basename, sheet)


class ImportExportIndexViewMixin:
    """Adds the Import and Export buttons to a listing's header."""

    import_url_name = None
    export_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.import_url_name and self.user_has_any_permission({"add", "change"}):
            buttons.append(
                HeaderButton(
                    _("Import"),
                    url=reverse(self.import_url_name),
                    icon_name="upload",
                    priority=1100,
                )
            )
        if self.export_url_name and self.user_has_any_permission({"view", "change"}):
            buttons.append(
                ButtonWithDropdown(
                    label=_("Export"),
                    icon_name="download",
                    priority=1200,
                    classname="w-header-button button",
                    buttons=[
                        Button(
                            _("Excel (.xlsx)"), url=self.export_url("xlsx"), icon_name="download"
                        ),
                        Button(_("CSV (.csv)"), url=self.export_url("csv"), icon_name="download"),
                    ],
                )
            )
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
        return self.construct_view(
            self.import_view_class, resource_class=self.import_resource_class
        )

    @property
    def import_preview_view(self):
        return self.construct_view(
            self.import_preview_view_class, resource_class=self.import_resource_class
        )

    @property
    def export_view(self):
        view_class = type(
            f"{self.model.__name__}ExportView", (self.export_view_mixin, self.index_view_class), {}
        )
        return self.construct_view(
            view_class,
            **self.get_index_view_kwargs(),
            export_resource_class=self.export_resource_class,
        )

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
