"""Reading the IOC's figures: sums of the day counters over a period, per agency, rolled up the agency tree.

One query reads every agency's counters for the period and the previous one (`counters_by_agency`); the
rest — subtree totals, children, the map — is arithmetic on those rows in Python. The procedure catalogue
(28 procedures, a few hundred agency links) is read whole. Nothing here reads the dossiers table except
the lists of late and soon-late dossiers, which read a few open dossiers through the (agency, status,
due_at) index.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.catalog.models import Agency, AgencyKind, Procedure, ProcessingStep, RequiredDocument
from mekong.core.errors import DomainError, NotFound
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.ioc import indicators
from mekong.ioc.indicators import CatalogFigures, Counters, Period, Scorecard, Weights
from mekong.ioc.models import COUNTER_COLUMNS, AgencyDay, ProcedureDay
from mekong.ioc.panels import PanelContext, registry

WEIGHTS_FILE = Path(__file__).parent / "data" / "indicators_766.json"
OPEN_STATUSES = (
    Status.NEW,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.PAYMENT_REQUESTED,
    Status.PROCESSED,
)
WORKING_STATUSES = (Status.NEW, Status.RECEIVED, Status.PROCESSING)  # the clock runs
SOON_DAYS = 2  # "soon late": due within two days


@cache
def weights() -> Weights:
    return indicators.load_weights(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))


def today() -> date:
    return timezone.now().astimezone(VIETNAM_TZ).date()


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


# --- the agency directory ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyNode:
    id: int
    parent_id: int | None
    code: str
    name: str
    short_name: str
    kind: str
    latitude: float | None
    longitude: float | None


@dataclass
class Directory:
    """Every agency (about a hundred rows), read once per request."""

    nodes: dict[int, AgencyNode]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Directory:
        rows = Agency.objects.values_list(
            "pk", "parent_id", "code", "name", "short_name", "kind", "unit__latitude", "unit__longitude"
        ).order_by("code")
        nodes = {row[0]: AgencyNode(*row) for row in rows}
        children: dict[int | None, list[int]] = defaultdict(list)
        for node in nodes.values():
            parent = node.parent_id if node.parent_id in nodes else None
            children[parent].append(node.id)
        return cls(nodes, dict(children))

    def subtree(self, agency_id: int) -> frozenset[int]:
        seen: set[int] = set()
        stack = [agency_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self.children.get(current, ()))
        return frozenset(seen)

    def path(self, agency_id: int) -> list[AgencyNode]:
        out: list[AgencyNode] = []
        current: int | None = agency_id
        while current is not None and current in self.nodes and len(out) < 20:
            out.append(self.nodes[current])
            current = self.nodes[current].parent_id
        return out[::-1]


@dataclass(frozen=True)
class View:
    """What one request looks at: an agency and everything below it, or (agency None) every agency the
    viewer may see."""

    agency: AgencyNode | None
    agency_ids: frozenset[int]
    children: list[AgencyNode]
    everything: bool  # agency_ids is every agency: queries need no filter
    breadcrumbs: list[AgencyNode]


NOT_VISIBLE = _("Không tìm thấy cơ quan này trong phạm vi bạn được xem.")


def view_for(user: Any, directory: Directory, agency_id: int | None) -> View:
    """The viewer's scope: IOC viewers see their agency and below, leaders their own and below."""
    allowed = permissions.ioc_agency_ids(user)
    visible = (
        frozenset(directory.nodes) if allowed is None else frozenset(allowed) & frozenset(directory.nodes)
    )
    if not visible:
        raise DomainError(_("Bạn không có quyền xem số liệu điều hành."), code="forbidden", status=403)
    tops = sorted(
        (a for a in visible if directory.nodes[a].parent_id not in visible),
        key=lambda a: directory.nodes[a].code,
    )
    if agency_id is None and len(tops) == 1:
        agency_id = tops[0]
    if agency_id is None:
        return View(
            None,
            visible,
            [directory.nodes[a] for a in tops],
            len(visible) == len(directory.nodes),
            [],
        )
    if agency_id not in visible:
        raise NotFound(NOT_VISIBLE)
    ids = directory.subtree(agency_id) & visible
    children = [directory.nodes[c] for c in directory.children.get(agency_id, ()) if c in visible]
    crumbs = [node for node in directory.path(agency_id) if node.id in visible]
    return View(directory.nodes[agency_id], ids, children, len(ids) == len(directory.nodes), crumbs)


# --- counters --------------------------------------------------------------------------------------------


def _ids_filter(agency_ids: Iterable[int] | None, column: str = "agency_id") -> tuple[str, list[int]]:
    if agency_ids is None:
        return "", []
    ids = sorted(agency_ids)
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", ids


def counters_by(
    periods: list[Period],
    *,
    today_: date,
    agency_ids: frozenset[int] | None,
    group: str = "agency_id",
    model: Any = AgencyDay,
) -> dict[int, list[Counters]]:
    """Per `group` value (agency or procedure), the counters of each period, in one query.

    The days are cut at every boundary that matters (each period's first day, the day after its measuring
    day and after its last day) into numbered slices; the database sums each column per slice, and each
    period's counters are sums of slices: what happened in it, what was carried into it (`received − ended`
    before it), what was open and on time when it was measured (`ontrack` up to that day)."""
    cuts = sorted(
        {
            day
            for period in periods
            for day in (
                period.start,
                period.measured_at(today_) + timedelta(days=1),
                period.end + timedelta(days=1),
            )
        }
    )
    slice_of = " ".join(f"WHEN day < %s THEN {index}" for index in range(len(cuts)))
    columns = ", ".join(f"SUM({c})" for c in COUNTER_COLUMNS)
    last = max(p.end for p in periods)
    where, ids = _ids_filter(agency_ids)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"SELECT {group}, CASE {slice_of} ELSE {len(cuts)} END AS slice, {columns} "  # noqa: S608 (ours)
        f"FROM {table} WHERE day <= %s{where} GROUP BY {group}, slice"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(c.isoformat() for c in cuts), last.isoformat(), *ids])
        rows = cursor.fetchall()
    sums: dict[int, dict[int, dict[str, int]]] = defaultdict(dict)
    for row in rows:
        sums[int(row[0])][int(row[1])] = dict(
            zip(COUNTER_COLUMNS, (int(v or 0) for v in row[2:]), strict=True)
        )
    # Slice i holds the days before cuts[i] and on or after cuts[i - 1].
    bounds = [
        (
            period,
            cuts.index(period.start),
            cuts.index(period.end + timedelta(days=1)),
            cuts.index(period.measured_at(today_) + timedelta(days=1)),
        )
        for period in periods
    ]
    out: dict[int, list[Counters]] = {}
    for key, slices in sums.items():
        results = []
        for _period, first, after_end, after_measured in bounds:
            inside = _add(slices, COUNTER_COLUMNS, first + 1, after_end + 1)
            before = _add(slices, ("received", "ended"), 0, first + 1)
            ontrack = _add(slices, ("ontrack",), 0, after_measured + 1)["ontrack"]
            feedback = _add(
                slices, ("feedback_due", "feedback_on_time"), first + 1, min(after_end, after_measured) + 1
            )
            values = {name: inside[name] for name in COUNTER_COLUMNS if name != "ontrack"}
            values.update(feedback)
            results.append(
                Counters(**values, carried=before["received"] - before["ended"], ontrack_at_end=ontrack)
            )
        out[key] = results
    return out


def _add(
    slices: Mapping[int, Mapping[str, int]], names: tuple[str, ...], low: int, high: int
) -> dict[str, int]:
    """The sums of `names` over slices low … high − 1."""
    result = dict.fromkeys(names, 0)
    for index in range(low, high):
        found = slices.get(index)
        if found:
            for name in names:
                result[name] += found[name]
    return result


def total(by_agency: Mapping[int, list[Counters]], agency_ids: Iterable[int], index: int) -> Counters:
    result = Counters()
    for agency_id in agency_ids:
        found = by_agency.get(agency_id)
        if found:
            result = result + found[index]
    return result


# --- the catalogue's figures (1.3, 3.1, 3.2) ------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    offered_by: dict[int, frozenset[int]]  # agency → active procedures it receives
    complete: frozenset[int]
    online: frozenset[int]

    @classmethod
    def load(cls) -> Catalogue:
        procedures = Procedure.objects.filter(is_active=True).annotate(
            has_documents=Exists(RequiredDocument.objects.filter(procedure=OuterRef("pk"))),
            has_steps=Exists(ProcessingStep.objects.filter(procedure=OuterRef("pk"))),
        )
        complete, online, active = set(), set(), set()
        for p in procedures.only("pk", "legal_basis", "result_name", "time_limit_value", "online_level"):
            active.add(p.pk)
            parts = (
                p.legal_basis.strip(),
                p.result_name.strip(),
                p.time_limit_value,
                p.has_documents,
                p.has_steps,
            )
            if all(parts):
                complete.add(p.pk)
            if p.online_level:
                online.add(p.pk)
        offered: dict[int, set[int]] = defaultdict(set)
        for procedure_id, agency_id in Procedure.agencies.through.objects.values_list(
            "procedure_id", "agency_id"
        ):
            if procedure_id in active:
                offered[agency_id].add(procedure_id)
        return cls({a: frozenset(p) for a, p in offered.items()}, frozenset(complete), frozenset(online))

    def figures(self, agency_ids: Iterable[int], with_online_dossier: set[tuple[int, int]]) -> CatalogFigures:
        ids = set(agency_ids)
        offered: set[int] = set()
        for agency_id in ids:
            offered |= self.offered_by.get(agency_id, frozenset())
        online = offered & self.online
        used = {p for a, p in with_online_dossier if a in ids} & online
        return CatalogFigures(
            procedures=len(offered),
            complete=len(offered & self.complete),
            online=len(online),
            online_with_dossier=len(used),
        )


def online_pairs(periods: list[Period], agency_ids: frozenset[int] | None) -> list[set[tuple[int, int]]]:
    """(agency, procedure) pairs with at least one online dossier filed in each period."""
    first = min(p.start for p in periods).isoformat()
    last = max(p.end for p in periods).isoformat()
    flags = ", ".join(
        f"MAX(CASE WHEN day >= '{p.start.isoformat()}' AND day <= '{p.end.isoformat()}' THEN 1 ELSE 0 END)"
        for p in periods
    )
    where, ids = _ids_filter(agency_ids)
    table = connection.ops.quote_name(ProcedureDay._meta.db_table)
    sql = (
        f"SELECT agency_id, procedure_id, {flags} FROM {table} "  # noqa: S608 (dates we formatted)
        f"WHERE day >= %s AND day <= %s AND online > 0{where} GROUP BY agency_id, procedure_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, last, *ids])
        rows = cursor.fetchall()
    out: list[set[tuple[int, int]]] = [set() for _ in periods]
    for row in rows:
        for index in range(len(periods)):
            if row[2 + index]:
                out[index].add((int(row[0]), int(row[1])))
    return out


# --- scorecards as JSON-ready dictionaries -------------------------------------------------------------------


def _rate_value(rate: indicators.Rate | None) -> float | None:
    value = rate.value if rate is not None else None
    return round(value, 4) if value is not None else None


def _days(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _shown(item: indicators.IndicatorScore | None) -> tuple[float | None, float | None]:
    """(rate, value) of an indicator: a scored one has a rate (a share), an informational one (2.2) a value
    in its own unit (days), never both."""
    if item is None:
        return None, None
    if item.spec.scored:
        return _rate_value(item.rate), None
    return None, _days(item.rate.value if item.rate is not None else None)


def scorecard(counters: Counters, catalog_figures: CatalogFigures) -> tuple[Scorecard, dict[str, Any]]:
    by_code = indicators.rates(counters, catalog_figures)
    return indicators.score(weights(), by_code), by_code


def scorecard_json(current: Scorecard, previous: Scorecard | None = None) -> dict[str, Any]:
    english = _english()
    previous_groups = {g.spec.code: g for g in previous.groups} if previous else {}
    groups = []
    for group in current.groups:
        before = previous_groups.get(group.spec.code)
        before_indicators = {i.spec.code: i for i in before.indicators} if before else {}
        items = []
        for item in group.indicators:
            old = before_indicators.get(item.spec.code)
            rate, value = _shown(item)
            previous_rate, previous_value = _shown(old)
            items.append(
                {
                    "code": item.spec.code,
                    "name": item.spec.name_en if english else item.spec.name,
                    "cap": item.spec.cap,
                    "target": item.spec.target,
                    "source": item.spec.source,
                    "informational": not item.spec.scored,
                    "measured": item.measured,
                    "rate": rate,
                    "value": value,
                    "numerator": item.rate.numerator if item.rate else None,
                    "denominator": item.rate.denominator if item.rate else None,
                    "points": item.points,
                    "previous_rate": previous_rate,
                    "previous_value": previous_value,
                    "previous_points": old.points if old else None,
                }
            )
        groups.append(
            {
                "code": group.spec.code,
                "name": group.spec.name_en if english else group.spec.name,
                "cap": group.spec.points,
                "points": group.points,
                "measured_cap": group.measured_cap,
                "previous_points": before.points if before else None,
                "indicators": items,
            }
        )
    return {
        "total": current.total,
        "measured_cap": current.measured_cap,
        "previous_total": previous.total if previous else None,
        "change": indicators.delta(current.total, previous.total if previous else None),
        "groups": groups,
    }


def _period_json(period: Period) -> dict[str, Any]:
    return {"kind": str(period.kind), "start": period.start, "end": period.end, "label": period.label()}


def _node_json(node: AgencyNode) -> dict[str, Any]:
    return {"id": node.id, "code": node.code, "name": node.name, "short_name": node.short_name or node.name}


def _counts_json(c: Counters) -> dict[str, Any]:
    rate = indicators.on_time_rate(c).value
    return {
        **c.as_dict(),
        "handled": c.handled,
        "on_time": c.on_time,
        "late": c.late,
        "open_at_end": c.open_at_end,
        "on_time_rate": round(rate, 4) if rate is not None else None,
        "average_rating": round(c.rating_sum / c.ratings, 2) if c.ratings else None,
        "average_handling_days": _days(indicators.average_handling_days(c)),
    }


def summary(user: Any, agency_id: int | None, period: Period, *, now: date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows for one agency (and below) and one period, with the previous period."""
    day = now or today()
    directory = Directory.load()
    view = view_for(user, directory, agency_id)
    previous = period.previous()
    periods = [period, previous]
    scope = None if view.everything else view.agency_ids
    by_agency = counters_by(periods, today_=day, agency_ids=scope)
    pairs = online_pairs(periods, scope)
    catalogue = Catalogue.load()

    def card(ids: Iterable[int]) -> tuple[Scorecard, Scorecard, Counters, Counters]:
        members = list(ids)
        now_c, before_c = total(by_agency, members, 0), total(by_agency, members, 1)
        current, _ = scorecard(now_c, catalogue.figures(members, pairs[0]))
        earlier, _ = scorecard(before_c, catalogue.figures(members, pairs[1]))
        return current, earlier, now_c, before_c

    current, earlier, counters, previous_counters = card(view.agency_ids)
    children = []
    for child in view.children:
        ids = directory.subtree(child.id) & view.agency_ids
        child_card, child_before, child_counts, _ = card(ids)
        children.append(
            {
                **_node_json(child),
                "has_children": bool(directory.children.get(child.id)),
                "total": child_card.total,
                "previous_total": child_before.total,
                "counts": _counts_json(child_counts),
            }
        )
    communes = []
    for agency_id_ in sorted(view.agency_ids):
        node = directory.nodes[agency_id_]
        if node.kind != AgencyKind.COMMUNE_PC or node.latitude is None or node.longitude is None:
            continue
        counts = total(by_agency, [node.id], 0)
        rate = indicators.on_time_rate(counts).value
        communes.append(
            {
                **_node_json(node),
                "latitude": node.latitude,
                "longitude": node.longitude,
                "handled": counts.handled,
                "late": counts.late,
                "on_time_rate": round(rate, 4) if rate is not None else None,
            }
        )
    context = PanelContext(scope, period, counters, previous_counters)
    panels = []
    for panel in registry.panels():
        figures = panel.figures(context)
        if figures:
            panels.append(
                {
                    "key": panel.key,
                    "title": str(panel.title),
                    "figures": [
                        {"label": str(f.label), "value": f.value, "unit": str(f.unit)} for f in figures
                    ],
                }
            )
    return {
        "agency": _node_json(view.agency) if view.agency else None,
        "breadcrumbs": [_node_json(node) for node in view.breadcrumbs],
        "period": _period_json(period),
        "previous_period": _period_json(previous),
        "measured_on": period.measured_at(day),
        **scorecard_json(current, earlier),
        "counts": _counts_json(counters),
        "previous_counts": _counts_json(previous_counters),
        "children": children,
        "communes": communes,
        "panels": panels,
    }


def procedures(
    user: Any, agency_id: int | None, period: Period, *, now: date | None = None
) -> dict[str, Any]:
    """The procedures of the agencies in view (only its own dossiers when the agency has units below it is
    not what a leader asks: this sums the whole subtree), one row per procedure."""
    day = now or today()
    directory = Directory.load()
    view = view_for(user, directory, agency_id)
    scope = None if view.everything else view.agency_ids
    rows = counters_by([period], today_=day, agency_ids=scope, group="procedure_id", model=ProcedureDay)
    names = dict(Procedure.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    codes = dict(Procedure.objects.filter(pk__in=list(rows)).values_list("pk", "code"))
    items: list[dict[str, Any]] = []
    for procedure_id, (counts,) in rows.items():
        if not counts.handled:
            continue
        items.append(
            {
                "id": procedure_id,
                "code": codes.get(procedure_id, ""),
                "name": names.get(procedure_id, ""),
                "counts": _counts_json(counts),
            }
        )
    items.sort(key=lambda item: (-item["counts"]["handled"], item["name"]))
    return {
        "agency": _node_json(view.agency) if view.agency else None,
        "period": _period_json(period),
        "procedures": items,
    }


def trend(user: Any, agency_id: int | None, months: int = 12, *, now: date | None = None) -> dict[str, Any]:
    """Month by month: the main rates and volumes of the agencies in view, oldest first."""
    day = now or today()
    directory = Directory.load()
    view = view_for(user, directory, agency_id)
    scope = None if view.everything else view.agency_ids
    periods = indicators.last_months(day, max(1, min(months, 36)))
    by_agency = counters_by(periods, today_=day, agency_ids=scope)
    series = []
    for index, period in enumerate(periods):
        c = total(by_agency, view.agency_ids, index)
        series.append(
            {
                "period": _period_json(period),
                "handled": c.handled,
                "received": c.received,
                "late": c.late,
                "on_time_rate": _rate_value(indicators.on_time_rate(c)),
                "online_rate": _rate_value(indicators.rate_of(c.online_counted, c.received)),
                "online_payment_rate": _rate_value(indicators.rate_of(c.paid_online, c.fee_bearing)),
                "digitised_rate": _rate_value(indicators.rate_of(c.digitised, c.received)),
            }
        )
    return {"agency": _node_json(view.agency) if view.agency else None, "months": series}


def late_dossiers(
    user: Any, agency_id: int | None, *, soon: bool, limit: int = 50, at: datetime | None = None
) -> dict[str, Any]:
    """Open dossiers past their appointment (or due within SOON_DAYS) in the agencies in view, most urgent
    first. No personal details: code, procedure, agency, status and appointment."""
    moment = at or timezone.now()
    directory = Directory.load()
    view = view_for(user, directory, agency_id)
    # Always by agency, even for the whole province: the (agency, status, due_at) index then finds the open
    # dossiers; the due_at index alone would walk past every finished one.
    dossiers = Dossier.objects.filter(
        agency_id__in=sorted(view.agency_ids), status__in=WORKING_STATUSES, due_at__isnull=False
    )
    if soon:
        dossiers = dossiers.filter(due_at__gte=moment, due_at__lt=moment + timedelta(days=SOON_DAYS))
    else:
        dossiers = dossiers.filter(due_at__lt=moment)
    rows = list(
        dossiers.order_by("due_at", "id").values(
            "code", "status", "due_at", "agency_id", "procedure__name", "procedure__code"
        )[:limit]
    )
    return {
        "agency": _node_json(view.agency) if view.agency else None,
        "kind": "soon" if soon else "late",
        "dossiers": [
            {
                "code": row["code"],
                "status": row["status"],
                "status_label": str(Status(row["status"] or 0).label) if row["status"] else "",
                "due_at": row["due_at"],
                "agency": directory.nodes[row["agency_id"]].short_name
                or directory.nodes[row["agency_id"]].name,
                "procedure": row["procedure__name"],
                "procedure_code": row["procedure__code"],
                "can_open": permissions.can_read_agency(user, row["agency_id"]),
            }
            for row in rows
        ],
    }


def public_scores(period: Period, *, now: date | None = None) -> dict[str, Any]:
    """The province's scores for the transparency page: every agency, no names of people, no lists."""
    day = now or today()
    directory = Directory.load()
    previous = period.previous()
    by_agency = counters_by([period, previous], today_=day, agency_ids=None)
    pairs = online_pairs([period, previous], None)
    catalogue = Catalogue.load()
    everyone = list(directory.nodes)
    current, _ = scorecard(total(by_agency, everyone, 0), catalogue.figures(everyone, pairs[0]))
    earlier, _ = scorecard(total(by_agency, everyone, 1), catalogue.figures(everyone, pairs[1]))
    counts = total(by_agency, everyone, 0)
    return {
        "period": _period_json(period),
        "previous_period": _period_json(previous),
        "measured_on": period.measured_at(day),
        **scorecard_json(current, earlier),
        "counts": _counts_json(counts),
        "provenance": weights().provenance,
    }
