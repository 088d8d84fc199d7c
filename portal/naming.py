"""Who may be named in public, asked by the pages that name people (a story's thanks) and
answered by the apps that hold consents (donations: a registered donor's). A registry, so that
content never imports donations: the app with the consents registers its rule at start-up, and
says when a consent or name changed with `public_names_changed`.

    naming.register(rule)               # rule(name) -> (may_name: bool, url: str | None)
    naming.may_name("依文集团")          # (False, None) if any rule says no; else the first url
    public_names_changed.send(sender=Donor, names={"依文集团"})   # after the change commits
"""

from django.dispatch import Signal

_rules = []

# Sent (after commit) when whether a name may appear in public changed: sender, names (a set).
public_names_changed = Signal()


def register(rule):
    if rule not in _rules:
        _rules.append(rule)
    return rule


def may_name(name):
    """(may the name be shown, the page to link it to or None). A name no rule knows may be
    shown: the editor's own consent box decides then."""
    url = None
    for rule in _rules:
        allowed, found = rule(name)
        if not allowed:
            return False, None
        url = url or found
    return True, url
