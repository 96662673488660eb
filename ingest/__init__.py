"""The digitisation library: identify, validate, OCR, extract and package one file at a time.

Each step takes a file and settings and returns results; it knows nothing of the catalog.
"""
