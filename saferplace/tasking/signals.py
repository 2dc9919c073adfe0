"""What the tasks app tells apps above it, which it does not know: a task finished (sent inside
the change's transaction, so what a receiver writes stands or falls with it)."""

from django.dispatch import Signal

task_done = Signal()  # viewer=, task=: the task was completed with its outcome
