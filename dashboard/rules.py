"""The cleaning vocabulary: one source for the loader, the model and the exported script.

Every word and pattern that decides how a cell is read (missing-value words, yes/no words,
number and date patterns, thousands and decimal rules, minus signs) lives here. The loader
imports it; the exported script is rendered with this module's source, so the two cannot drift.
This module imports only the standard library, numpy and pandas.
"""

from __future__ import annotations

# Characters people type (or paste from word processors) for a minus sign.
MINUS_SIGNS = "\u2212\u2012\u2013\u2014\ufe63\uff0d"
