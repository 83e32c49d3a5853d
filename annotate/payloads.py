"""The shape of what Label Studio sends (a webhook's payload, an annotation), checked before anything reads it.

Only the fields gaoxin reads are declared, with the types it relies on; everything else passes through. Ids
must be whole numbers SQLite can hold (a string, null or 2**70 is refused, not a 500); a region's `labels` and
`choices` are lists of strings and its `text` a string or a list of strings. What is refused is a
`MalformedPayload` naming the first wrong field, which the hook answers with 400.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

from .errors import AnnotateError

Id = Annotated[StrictInt, Field(ge=0, lt=2**63)]  # an SQLite INTEGER; bool is not an int here


class MalformedPayload(AnnotateError):
    """A payload or annotation whose shape is not Label Studio's: the reason names the field."""


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Value(_Open):
    labels: list[StrictStr] | None = None
    choices: list[StrictStr] | None = None
    text: StrictStr | list[StrictStr] | None = None


class _Region(_Open):
    value: Any = None

    @field_validator("value")
    @classmethod
    def _value(cls, value: Any) -> Any:
        # a value that is no object is refused region by region (annotate/review.py), not here
        return _Value.model_validate(value) if isinstance(value, dict) else value


class _Annotation(_Open):
    id: Id
    result: list[Any] | None = None

    @field_validator("result")
    @classmethod
    def _result(cls, result: list[Any] | None) -> list[Any] | None:
        # an item that is no object is refused region by region too
        return [_Region.model_validate(it) if isinstance(it, dict) else it for it in result or []]


class _Task(_Open):
    id: Id


class _Created(_Open):
    annotation: _Annotation
    task: _Task


class _Deleted(_Open):
    annotations: list[_Task] | None = None


_ACTIONS: dict[str, type[BaseModel]] = {
    "ANNOTATION_CREATED": _Created,
    "ANNOTATION_UPDATED": _Created,
    "ANNOTATIONS_DELETED": _Deleted,
}


def check_payload(payload: dict) -> None:
    """MalformedPayload unless a webhook payload of an action gaoxin handles has the shape it reads."""
    model = _ACTIONS.get(payload.get("action"))  # type: ignore[arg-type]
    if model is not None:
        _check(model, payload)


def check_annotation(annotation: dict) -> None:
    """MalformedPayload unless an annotation (from a webhook or pulled) has the shape gaoxin reads."""
    _check(_Annotation, annotation, where="annotation")


def _check(model: type[BaseModel], data: dict, where: str = "") -> None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = ".".join(str(p) for p in (where, *first["loc"]) if p != "")
        got = repr(first.get("input"))
        raise MalformedPayload(f"{path}: {first['msg']} (got {got[:40]})") from None
