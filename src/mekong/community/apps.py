from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "mekong.community"
    label = "community"
    verbose_name = _("Tổ công nghệ số cộng đồng")

    def ready(self) -> None:
        # Team members may prepare the drafts they file for citizens (dossiers.hooks.draft_access).
        from mekong.community import hooks  # noqa: F401
