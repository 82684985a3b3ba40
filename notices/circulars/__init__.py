"""Circulars: numbering, typesetting, rendering, integrity and delivery of official PDF documents."""
