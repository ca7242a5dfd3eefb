"""The HTTP kit: one app factory, one error shape, probes, request id and metrics."""

from huiyin_shared.http.app import create_app
from huiyin_shared.http.health import ReadinessCheck
from huiyin_shared.http.middleware import REQUEST_ID_HEADER
from huiyin_shared.http.problems import PROBLEM_MEDIA_TYPE, FieldError, Problem

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "REQUEST_ID_HEADER",
    "FieldError",
    "Problem",
    "ReadinessCheck",
    "create_app",
]
