"""Supervision's pure rules: time-limit policies, due-date explanations, clock status."""
