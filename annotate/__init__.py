"""Extraction of numeric facts from articles, and the Label Studio round trip.

Imports store/ (never bot/): bot → annotate → store.
"""
