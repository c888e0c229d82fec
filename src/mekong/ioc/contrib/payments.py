"""The payments panel: fees collected online and at the counter in the period, from the IOC's counters
(payments are counted on the day the dossier's last payment was made)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.ioc.panels import Figure, Panel, PanelContext, registry


class PaymentsPanel(Panel):
    key = "payments"
    title = _("Thu phí, lệ phí")
    order = 10

    def figures(self, context: PanelContext) -> list[Figure]:
        c = context.counters
        payments = c.payments_online + c.payments_counter
        amount = c.amount_online + c.amount_counter
        online_share = round(100 * c.amount_online / amount, 1) if amount else 0.0
        return [
            Figure(_("Số lượt nộp phí"), payments),
            Figure(_("Tổng số tiền đã thu"), amount, _("đồng")),
            Figure(_("Thu trực tuyến"), c.amount_online, _("đồng")),
            Figure(_("Thu tại Bộ phận Một cửa"), c.amount_counter, _("đồng")),
            Figure(_("Tỷ lệ số tiền thu trực tuyến"), online_share, "%"),
        ]


registry.register(PaymentsPanel())
