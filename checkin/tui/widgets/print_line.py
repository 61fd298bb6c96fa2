"""The line on the verdict card that says what became of the last badge sent to the printer.

Printing runs in its own thread (`checkin.printing.PrintQueue`); the app sets `job` whenever a
job changes. A failed print is amber and stays until a reprint succeeds or another badge is
printed (the person may already be walking away); "printing" and "printed" are quiet and go
once printed.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from checkin.i18n import _
from checkin.printing import FAILED, PRINTED, PrintJob

#: How long "badge printed" stays on the card (seconds).
PRINTED_S = 5.0


def print_text(job: PrintJob | None) -> str:
    """The words of the line for `job` ("" when there is nothing to say)."""
    if job is None:
        return ""
    if job.state == FAILED:
        return _("badge not printed: {reason} — F6 to retry").format(reason=job.reason)
    if job.state == PRINTED:
        return _("badge printed for {name}").format(name=job.name)
    return _("printing the badge of {name}…").format(name=job.name)


class PrintLine(Static):
    """One line under the verdict: amber when the last print failed, quiet otherwise."""

    DEFAULT_CSS = """
    PrintLine { width: 1fr; height: auto; text-align: center; margin-top: 1; display: none; }
    PrintLine.-shown { display: block; }
    PrintLine.-failed { background: #c98a00; color: black; text-style: bold; }
    PrintLine.-busy { color: $text-muted; }
    """

    job: reactive[PrintJob | None] = reactive(None, always_update=True, init=False)

    def __init__(self, **kwargs: str) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self._clear: Timer | None = None

    def watch_job(self, job: PrintJob | None) -> None:
        if self._clear is not None:
            self._clear.stop()
            self._clear = None
        self.update(print_text(job))
        self.set_class(job is not None, "-shown")
        self.set_class(job is not None and job.state == FAILED, "-failed")
        self.set_class(job is not None and job.state != FAILED, "-busy")
        if job is not None and job.state == PRINTED:
            self._clear = self.set_timer(PRINTED_S, self.clear)

    def clear(self) -> None:
        self.job = None
