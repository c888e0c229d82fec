"""Community digital technology teams on the IOC dashboard (issue 7's figures, `community.figures`):
hamlet coverage, teams and members, support activities and assisted dossiers in the period."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.community import figures
from mekong.ioc.panels import Figure, Panel, PanelContext, registry


class CommunityTeamsPanel(Panel):
    key = "community"
    title = _("Tổ công nghệ số cộng đồng")
    order = 20

    def figures(self, context: PanelContext) -> list[Figure]:
        scope = figures.Scope(agency_ids=context.agency_ids)
        coverage = figures.coverage(scope)
        if not coverage.hamlets:
            return []  # no hamlet in view (an agency that is not a commune): nothing to say
        teams, members = figures.team_totals(scope)
        since, until = context.period.start, context.period.end
        activities = figures.activity_total(scope, since=since, until=until)
        # The online total from the IOC's counters (filed online in the period, same agencies): no scan of
        # the dossiers on each refresh. Only the assisted ones are counted here.
        assisted = figures.AssistedShare(
            online=context.counters.online, assisted=figures.assisted_count(scope, since=since, until=until)
        )
        return [
            Figure(_("Ấp, khu vực có tổ hoạt động"), round(coverage.percent or 0.0, 1), "%"),
            Figure(_("Số tổ"), teams),
            Figure(_("Số thành viên"), members),
            Figure(_("Lượt hỗ trợ người dân trong kỳ"), activities),
            Figure(_("Hồ sơ trực tuyến nộp với sự hỗ trợ của tổ"), assisted.assisted),
            Figure(_("Tỷ lệ trong hồ sơ trực tuyến"), round(assisted.percent or 0.0, 1), "%"),
        ]


registry.register(CommunityTeamsPanel())
