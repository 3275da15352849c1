"""Who is asking: a signed-in user's row, scope and unread count, kept across requests (decision 083).

Every page began with the same three queries — the user's row, their role assignments (the scope, with the
paths of the places and organizations granted) and their unread notifications — about 3 ms of a street
officer's 20–40 ms page. They change seldom, and each change is a save or delete that sends a signal, so they
are kept in the shared file cache under a stamp per user (`core.reuse.KeptByPart`) that every such write renews
after it commits:

- the user's own row (password, active flag, superuser, last login);
- their role assignments;
- their notifications (made in bulk by `notify`, read in bulk by the notifications page: both renew it);
- a move of a place or organization subtree (the paths in every scope): the stamp `tree`, shared by all.

What no signal reports shows when `IDENTITY_SECONDS` (5 minutes) is up. A user's stamp is renewed before
anything is read back from the new rows, so a role taken away is gone on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models.signals import post_save
from rest_framework.authentication import TokenAuthentication

from jiceng.core.reuse import KeptByPart
from jiceng.core.scoping import Scope, scope_for

IDENTITIES = KeptByPart("identity")
TREE = "tree"


@dataclass
class Identity:
    user: object  # the user's row as loaded (a fresh copy on every request: it comes out of the cache)
    scope: Scope
    unread: int


def user_part(user_id: int) -> str:
    return f"user:{user_id}"


def load_identity(user_id) -> Identity | None:
    """The user's identity, kept (decision 083) or read from the database; None for no such user."""
    def compute() -> Identity | None:
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        if user is None:
            return None
        scope = scope_for(user)
        del user._jiceng_scope  # the scope is kept beside the row, not inside it
        return Identity(user, scope, user.notifications.filter(read=False).count())

    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    seconds = settings.JICENG.get("IDENTITY_SECONDS", 0)
    return IDENTITIES.get_or_compute([user_part(user_id), TREE], (), compute, seconds)


def attach(user, identity: Identity) -> None:
    """Give a user object its kept scope and unread count (read by `scope_for` and the navigation)."""
    user._jiceng_scope = identity.scope
    user._jiceng_unread = identity.unread


def identity_changed(user_ids) -> None:
    """Renew the stamps of these users after the transaction commits (writes that send no signal)."""
    IDENTITIES.touch([user_part(pk) for pk in user_ids])


class KeptIdentityBackend(ModelBackend):
    """Django's model backend (passwords, active flag), with the signed-in user read through the kept identity."""

    def get_user(self, user_id):
        identity = load_identity(user_id)
        if identity is None:
            return None
        user = identity.user
        attach(user, identity)
        return user if self.user_can_authenticate(user) else None


class KeptTokenAuthentication(TokenAuthentication):
    """DRF's token authentication; the user's scope comes from the kept identity instead of a query."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        identity = load_identity(user.pk)
        if identity is not None:
            attach(user, identity)
        return user, token


def connect() -> None:
    """Renew the stamps on the writes an identity is made of (called from AccountsConfig.ready)."""
    from django.contrib.auth import get_user_model

    from jiceng.places.models import subtree_moved

    from .models import Notification, RoleAssignment

    IDENTITIES.watch(lambda user: [user_part(user.pk)], get_user_model()._meta.label)
    IDENTITIES.watch(lambda row: [user_part(row.user_id)], RoleAssignment._meta.label, Notification._meta.label)
    subtree_moved.connect(lambda sender, **kw: IDENTITIES.touch([TREE]), weak=False,
                          dispatch_uid="identity-place-moved")
    post_save.connect(_organization_saved, sender="organizations.Organization", weak=False,
                      dispatch_uid="identity-organization-saved")


def _organization_saved(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    # An organization's save may move its subtree (Organization.save rebases the paths); a new one moves nothing.
    if not created and not raw:
        IDENTITIES.touch([TREE])
