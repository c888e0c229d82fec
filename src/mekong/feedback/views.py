"""The citizen's rating form for a returned dossier (portal)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mekong.core.errors import DomainError
from mekong.feedback import actions
from mekong.feedback.models import Rating
from mekong.portal.dossier_views import _own_dossier, citizen_required, current_citizen

SCORES = [(n, gettext_lazy("%(n)s sao") % {"n": n}) for n in range(5, 0, -1)]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("Mức độ hài lòng"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Phản ánh, kiến nghị (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@citizen_required
def rate(request: HttpRequest, code: str) -> HttpResponse:
    user = current_citizen(request)
    dossier = _own_dossier(request, code)
    existing = Rating.objects.filter(dossier=dossier).first()
    form = RatingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and existing is None:
        if form.is_valid():
            try:
                actions.rate(
                    dossier,
                    actor=user,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("Cảm ơn bạn đã đánh giá hồ sơ {code}.").format(code=dossier.code))
                return HttpResponseRedirect(reverse("portal:dossier", args=[dossier.code]))
        else:
            status = 400
    context = {"dossier": dossier, "form": form, "existing": existing}
    return render(request, "feedback/rate.html", context, status=status)
