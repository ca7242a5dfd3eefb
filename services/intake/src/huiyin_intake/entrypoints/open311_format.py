"""Open311 GeoReport v2 wire formats: JSON or XML of lists of flat records, and its errors."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi import Response

Format = Literal["json", "xml"]

_XML_ITEM = {"services": "service", "service_requests": "request", "errors": "error"}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


def _xml(root: str, items: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> bytes:
    element = Element(root)
    records = [items] if isinstance(items, Mapping) else items
    for record in records:
        parent = element if isinstance(items, Mapping) else SubElement(element, _XML_ITEM[root])
        for key, value in record.items():
            if isinstance(value, list):
                holder = SubElement(parent, key)
                for entry in value:
                    child = SubElement(holder, key.rstrip("s") or "item")
                    for k, v in entry.items():
                        if isinstance(v, list):
                            values = SubElement(child, k)
                            for option in v:
                                opt = SubElement(values, "value")
                                for ok, ov in option.items():
                                    SubElement(opt, ok).text = _value(ov)
                        else:
                            SubElement(child, k).text = _value(v)
            else:
                SubElement(parent, key).text = _value(value)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>' + tostring(element, encoding="unicode").encode()
    )


def render(
    fmt: Format,
    root: str,
    items: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    status: int = 200,
) -> Response:
    """``items`` as a JSON array (or object) or as ``<root>`` XML."""
    if fmt == "xml":
        return Response(_xml(root, items), status_code=status, media_type="text/xml; charset=utf-8")
    return Response(
        json.dumps(items, ensure_ascii=False, default=str).encode(),
        status_code=status,
        media_type="application/json",
    )


def errors(fmt: Format, status: int, descriptions: Sequence[str]) -> Response:
    """GeoReport's error shape: a list of ``{code, description}``."""
    return render(
        fmt,
        "errors",
        [{"code": status, "description": description} for description in descriptions],
        status=status,
    )
