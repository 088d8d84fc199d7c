"""Back-office pages of messages to volunteers (volunteers/services/messages.py): write one
(with a preview of how many it reaches), the record of what was sent to whom (scoped to the
sender's communities), and the push of an urgent notice from its page's header button."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin import show_error
from portal.params import get_object_or_404
from portal.scoping import communities_for, get_scoped_or_404, scope

from .models import MessageBatch, Skill
from .services import messages as service


class MessageForm(forms.Form):
    audience = forms.ChoiceField(label=gettext_lazy("Send to"))
    skills = forms.ModelMultipleChoiceField(
        label=gettext_lazy("with any of these skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    on_duty_week = forms.BooleanField(
        label=gettext_lazy("only those on duty this week"), required=False
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("channel"),
        choices=MessageBatch.Channel.choices,
        initial=MessageBatch.Channel.SMS,
        widget=forms.RadioSelect,
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("urgent"),
        required=False,
        help_text=gettext_lazy("Also reaches those who asked for urgent messages only."),
    )
    text = forms.CharField(
        label=gettext_lazy("message"),
        max_length=service.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = service.audience_choices(user)


@permission_required("volunteers.add_messagebatch", raise_exception=True)
def compose(request):
    # "Message the team" on a team's page arrives with its audience chosen
    form = MessageForm(
        request.user, request.POST or None, initial={"audience": request.GET.get("audience")}
    )
    count = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {
            "skills": list(data["skills"]),
            "on_duty_week": data["on_duty_week"],
            "urgent": data["urgent"],
        }
        try:
            if request.POST.get("action") == "send":
                batch = service.send_message(
                    request.user, data["audience"], data["text"], channel=data["channel"], **options
                )
                messages.success(
                    request,
                    _("Message sent to %(n)s volunteers.") % {"n": batch.recipient_count},
                )
                return redirect("volunteers_messages:detail", pk=batch.pk)
            count = service.preview(request.user, data["audience"], **options)
        except service.MessageError as error:
            show_error(request, error)
    return render(
        request,
        "volunteers/admin/message_compose.html",
        {"title": _("Message to volunteers"), "form": form, "count": count},
    )


@permission_required("volunteers.view_messagebatch", raise_exception=True)
def batches(request):
    listing = scope(
        MessageBatch.objects.select_related("community", "team", "sender"), request.user
    )
    return render(
        request,
        "volunteers/admin/message_list.html",
        {"title": _("Messages sent to volunteers"), "batches": listing[:200]},
    )


@permission_required("volunteers.view_messagebatch", raise_exception=True)
def detail(request, pk):
    batch = get_scoped_or_404(
        request.user, MessageBatch.objects.select_related("community", "team", "sender"), pk=pk
    )
    return render(
        request,
        "volunteers/admin/message_detail.html",
        {
            "title": _("Message to volunteers"),
            "batch": batch,
            "recipients": batch.recipients.select_related("profile").order_by("pk"),
        },
    )


@permission_required("volunteers.add_messagebatch", raise_exception=True)
def push_notice(request, page_id):
    """Confirm, then push an urgent published notice to its communities' volunteers, once."""
    from content.models import NoticePage

    # only a published urgent notice for (some of) the pusher's communities, or for everyone;
    # the service pushes to the pusher's own communities alone
    if not service.may_push_notices(request.user):
        raise PermissionDenied
    notice = get_object_or_404(NoticePage, pk=page_id, live=True, urgent=True)
    targets = set(notice.target_communities.values_list("pk", flat=True))
    if targets and not targets & set(communities_for(request.user).values_list("pk", flat=True)):
        raise Http404
    if request.method == "POST":
        try:
            made = service.push_urgent_notice(notice, request.user)
        except service.MessageError as error:
            show_error(request, error)
        else:
            if made:
                messages.success(
                    request,
                    _("Pushed to %(n)s volunteers.") % {"n": sum(b.recipient_count for b in made)},
                )
            else:
                messages.info(request, _("Already pushed; nothing more was sent."))
            return redirect("volunteers_messages:list")
    return render(
        request,
        "volunteers/admin/message_push.html",
        {
            "title": _("Push the urgent notice to volunteers"),
            "notice": notice,
            "pushed": sorted(service.pushed_communities(notice)),
        },
    )
