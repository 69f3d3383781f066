"""What the import pipeline announces, for the apps above it to act on (they connect in their
AppConfig.ready(); the pipeline never imports them)."""

from django.dispatch import Signal

# Inside the import's transaction, after an import of `kind=` created or updated rows.
rows_written = Signal()

# After an import (web, API or `huican import`) finished with new data (status done), with
# `actor=` (a user, or "命令行" for an unnamed command-line import): findings recompute,
# the dashboard warms its figures.
import_done = Signal()
