"""The pages of a batch of documents made on the worker (portal.document_jobs): the list of
one's recent jobs, a job's page (progress that updates itself, then the file or the error with
"Run again"), and the download."""

from allauth.account.decorators import reauthentication_required
from django.apps import apps
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal import audit
from portal.document_jobs import STALE_AFTER, error_text, fail_stale_jobs, get_kind, retry_job
from portal.models import DocumentJob
from portal.scoping import get_scoped_or_404, scope
from portal.security import make_private

REFRESH_SECONDS = 2


def visible_job_or_404(user, pk):
    """The job, to its owner; to staff of its community with the kind's permission; else 404."""
    job = get_scoped_or_404(user, DocumentJob.objects.select_related("user"), pk=pk)
    if job.user_id != user.pk:
        try:
            permission = get_kind(job.kind).permission
        except LookupError:
            raise Http404 from None
        if not user.has_perm(permission):
            raise Http404
    return job


def kind_label(job):
    try:
        return get_kind(job.kind).label
    except LookupError:
        return job.kind


def job_list(request):
    fail_stale_jobs()
    jobs = scope(DocumentJob.objects.select_related("user"), request.user).filter(user=request.user)
    rows = [(job, kind_label(job)) for job in jobs.order_by("-created_at")[:50]]
    return make_private(
        render(
            request,
            "portal/document_jobs/list.html",
            {"rows": rows, "page_title": _("My files being made")},
        )
    )


class JobView(WagtailAdminTemplateMixin, TemplateView):
    """One job: while the worker runs, documents done out of the total (the page refreshes
    itself and reads out the count, role=status); then the download or the error."""

    header_icon = "doc-full"
    template_name = "portal/document_jobs/job.html"

    def dispatch(self, request, *args, **kwargs):
        fail_stale_jobs()  # a killed worker's job shows as failed as soon as someone looks
        self.job = visible_job_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(kind_label(self.job))

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("portal_document_jobs"), "label": _("My files being made")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        job = self.job
        waited = job.status == DocumentJob.Status.QUEUED and (
            job.created_at < timezone.now() - STALE_AFTER
        )
        return super().get_context_data(
            job=job,
            error=error_text(job) if job.status == DocumentJob.Status.FAILED else "",
            refresh_seconds=REFRESH_SECONDS,
            no_worker=waited,
            may_retry=job.user_id == self.request.user.pk,
            file_url=reverse("portal_document_job_file", args=[job.pk]),
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        return make_private(super().render_to_response(context, **kwargs))

    def post(self, request, *args, **kwargs):
        if self.job.user_id != request.user.pk:
            raise Http404
        if retry_job(self.job):
            messages.success(request, _("The file will be made again."))
        else:
            messages.error(request, _("This job is not failed; it need not run again."))
        return HttpResponseRedirect(request.path)


@reauthentication_required  # names leave the portal: the person proves it is still them
def job_file(request, pk):
    job = visible_job_or_404(request.user, pk)
    if job.status != DocumentJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:  # storage lost it (a restored backup): the job can be run again
        raise Http404 from None
    model = apps.get_model(job.result["model"])
    queryset = model._default_manager.filter(pk__in=job.result.get("ids", []))
    file_format = job.filename.rpartition(".")[2].lower() or "bin"
    audit.record_export(request, queryset, file_format, job=job.pk, kind=job.kind)
    response = FileResponse(handle, as_attachment=True, filename=job.filename)
    return make_private(response)
