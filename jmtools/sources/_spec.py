"""The canonical tables: their columns, types and the rules a row must pass."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Column", "TableSpec", "SPECS", "WITHOUT_CUSTOMER"]


@dataclass(frozen=True)
class Column:
    """One canonical column: ``kind`` is ``id``, ``str``, ``timestamp``, ``float`` or ``int``."""

    name: str
    kind: str
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns, and the column whose values must be unique (if any),
    within each value of the ``unique_per`` columns (a survey answer's id, per metric)."""

    kind: str
    columns: tuple[Column, ...]
    unique: str | None = None
    keep_extra: bool = True
    unique_per: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _cols(*specs: str) -> tuple[Column, ...]:
    out = []
    for s in specs:
        name, kind = s.split(":")
        out.append(Column(name.rstrip("!"), kind, name.endswith("!")))
    return tuple(out)


SPECS = {
    "events": TableSpec("events", _cols("customer_id!:id", "timestamp!:timestamp", "event!:str",
                                        "session_id:id", "channel:str", "value:float",
                                        "initiated_by:str")),
    "customers": TableSpec("customers", _cols("customer_id!:id"), unique="customer_id"),
    "surveys": TableSpec("surveys", _cols("customer_id!:id", "timestamp!:timestamp", "metric!:str",
                                          "score!:float", "touchpoint:str", "stage:str",
                                          "survey_id:id"),
                         unique="survey_id", unique_per=("metric",)),   # one response: an answer per metric
    "feedback": TableSpec("feedback", _cols("feedback_id!:id", "customer_id!:id",
                                            "timestamp!:timestamp", "text!:str", "touchpoint:str",
                                            "stage:str", "source:str", "rating:float"),
                          unique="feedback_id"),
    "orders": TableSpec("orders", _cols("order_id!:id", "customer_id!:id", "timestamp!:timestamp",
                                        "amount!:float", "items:int", "status:str", "currency:str"),
                        unique="order_id"),
    "tickets": TableSpec("tickets", _cols("ticket_id!:id", "customer_id!:id", "timestamp!:timestamp",
                                          "closed_timestamp:timestamp", "topic:str", "channel:str",
                                          "touchpoint:str", "stage:str", "text:str"),
                         unique="ticket_id"),
}


#: A negative order amount is a refund or a cancellation, not an order: counted out of the order value.
NEGATIVE_AMOUNT = ("negative amount", "a refund or cancellation is not an order: it is left out of the order "
                   "value; keep refunds in another file, or net them into their orders first")


#: Kinds whose rows may name no customer: a store review is feedback about the product, kept for the
#: complaint themes, sentiment and quotes of the report for all customers, never a persona's (D244).
WITHOUT_CUSTOMER = ("feedback",)
