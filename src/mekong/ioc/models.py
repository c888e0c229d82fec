"""Incremental aggregates of the service index (docs/decisions/0007-ioc-aggregates.md).

`DossierFact` is one row per submitted dossier with what the index needs to know about it (its days and
flags), kept by `ioc.aggregates.refresh` in the transaction of each dossier event. `AgencyDay` and
`ProcedureDay` hold per-day counters: what each fact adds on the day it was filed, ended, became late, was
paid, rated or its feedback fell due. A period's figures are sums of those rows, never a scan of dossiers.
`mekong rebuild_ioc` recomputes all three tables from the dossiers and their events.
"""

from __future__ import annotations

from django.db import models


class Counters(models.Model):
    """Counters of one day. `ontrack` is a running delta: +1 when a dossier is filed, −1 on the day it ends
    or becomes late; its sum up to a day is the number of dossiers open and within their deadline."""

    day = models.DateField()
    received = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)
    ended_on_time = models.IntegerField(default=0)
    ontrack = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    processed = models.IntegerField(default=0)
    # Calendar days from filing to processing of the dossiers processed that day (indicator 2.2).
    processed_days = models.IntegerField(default=0)
    e_result = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    online_counted = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    fee_bearing = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    payments_online = models.IntegerField(default=0)
    payments_counter = models.IntegerField(default=0)
    amount_online = models.BigIntegerField(default=0)
    amount_counter = models.BigIntegerField(default=0)
    ratings = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    feedback_due = models.IntegerField(default=0)
    feedback_on_time = models.IntegerField(default=0)

    class Meta:
        abstract = True


COUNTER_COLUMNS: tuple[str, ...] = (
    "received",
    "ended",
    "ended_on_time",
    "ontrack",
    "refused",
    "withdrawn",
    "stopped",
    "processed",
    "processed_days",
    "e_result",
    "online",
    "online_counted",
    "digitised",
    "reused",
    "fee_bearing",
    "paid_online",
    "payments_online",
    "payments_counter",
    "amount_online",
    "amount_counter",
    "ratings",
    "rating_sum",
    "dissatisfied",
    "feedback_due",
    "feedback_on_time",
)


# The counters are derived data, rebuilt from the dossiers (`aggregates.rebuild`): no database foreign keys,
# whose checks (two per procedure-day row) cost a full rebuild seconds at commit (4.7 s under load at a
# million dossiers). Deleting an agency or a procedure still deletes its counters (Django's on_delete).
class AgencyDay(Counters):
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="ioc_agency_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}"


class ProcedureDay(Counters):
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "procedure", "day"], name="ioc_procedure_day")
        ]
        # Indicator 3.2 asks which procedures had an online dossier in a period: an index-only range scan.
        indexes = [
            models.Index(
                fields=["day", "agency", "procedure"],
                condition=models.Q(online__gt=0),
                name="ioc_procedure_day_online",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.procedure_id} {self.day}"


class DossierFact(models.Model):
    """What the index knows about one dossier. Flags are 0/1 so that SQL sums them alike everywhere."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    agency_id = models.IntegerField()
    procedure_id = models.IntegerField()
    start_day = models.DateField()
    end_day = models.DateField(null=True)
    stop_day = models.DateField(null=True)
    end_status = models.SmallIntegerField(null=True)
    on_time = models.SmallIntegerField(default=0)
    processed = models.SmallIntegerField(default=0)
    # Processed (end status 9): calendar days from the filing day to the end day; otherwise 0.
    handling_days = models.IntegerField(default=0)
    e_result = models.SmallIntegerField(default=0)
    online = models.SmallIntegerField(default=0)
    online_counted = models.SmallIntegerField(default=0)
    digitised = models.SmallIntegerField(default=0)
    reused = models.SmallIntegerField(default=0)
    fee_bearing = models.SmallIntegerField(default=0)
    paid_online = models.SmallIntegerField(default=0)
    paid_day = models.DateField(null=True)
    payments_online = models.SmallIntegerField(default=0)
    payments_counter = models.SmallIntegerField(default=0)
    amount_online = models.BigIntegerField(default=0)
    amount_counter = models.BigIntegerField(default=0)
    rated_day = models.DateField(null=True)
    rating = models.SmallIntegerField(null=True)
    feedback_due_day = models.DateField(null=True)
    feedback_on_time = models.SmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"fact {self.dossier_id}"


FACT_COLUMNS: tuple[str, ...] = (
    "dossier_id",
    "agency_id",
    "procedure_id",
    "start_day",
    "end_day",
    "stop_day",
    "end_status",
    "on_time",
    "processed",
    "handling_days",
    "e_result",
    "online",
    "online_counted",
    "digitised",
    "reused",
    "fee_bearing",
    "paid_online",
    "paid_day",
    "payments_online",
    "payments_counter",
    "amount_online",
    "amount_counter",
    "rated_day",
    "rating",
    "feedback_due_day",
    "feedback_on_time",
)


class PendingFact(models.Model):
    """A dossier whose fact must be refreshed: written in the transaction of each of its events when the
    figures follow events after commit (`MEKONG_IOC_DEFERRED`), removed by the task that refreshes it. A row
    per event, never one shared row: an event must not wait for, or be absorbed into, a row that a worker
    is claiming at that moment (see `aggregates.process_pending`)."""

    id = models.BigAutoField(primary_key=True)
    dossier_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"pending {self.dossier_id}"
