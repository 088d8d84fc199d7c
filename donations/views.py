from django.shortcuts import render


def index(request):
    return render(request, "portal/coming_soon.html", {"title": request.resolver_match.app_name})
