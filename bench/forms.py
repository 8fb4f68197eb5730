"""Benchmark form generation: milliseconds per form of each kind, unsigned (the reportlab render)
and signed (render and PAdES signature with pyHanko), beside an empty one-page reportlab document
timed in the same run, and beside WeasyPrint rendering the same content from HTML.

    python -m bench.forms [--seconds 2] [--repeat 500] [--redacted]

The demo data is loaded into a temporary instance folder and SQLite file, and every form is made
for the demo case with the longest history that has a name in Arabic script (Kazakh Cyrillic is
on every demo case). Each form's sheet (its content, read from the case file and labelled) is built
with the same functions `forms.operations.issue_form` uses and timed on its own; the render
figures start from that sheet. Both renderers draw the QR code (WeasyPrint from reportlab's SVG of
it) and use the project's DejaVu fonts. No case data is printed. Nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import signal
import sys
import tempfile
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from weasyprint import HTML

from bench.form_html import form_html
from bench.measure import Budget, Measurement, measure
from forms import codes
from forms.casefile import read_case_file
from forms.layout import Sheet, render
from forms.script import FONTS
from forms.sheet import draw_up, form_languages
from forms.signing import form_signer, sign
from workflow import create_app, transactions
from workflow.access import caller_of
from workflow.db import utcnow
from workflow.disclosure import EVERYTHING
from workflow.models import Case, TransitionRecord, User
from workflow.vocabulary import Script

KINDS = (
    "birth-registration",
    "dna-request",
    "guardianship-petition",
    "citizenship-application",
    "case-summary",
)
DEMO_PASSWORD = "bench-password-123"
LEGEND = """\
all figures in ms per form; p50 = median, p95 = 95th percentile of the timed calls
sheet: the form's content read from the case file and labelled (SQLite, same process)
unsigned: forms.layout.render of the sheet (reportlab); signed: render, then forms.signing.sign
(PAdES, pyHanko); × empty: p50 ÷ the empty page's p50; WeasyPrint: the same sheet as HTML
(bench.form_html) through HTML.write_pdf; × unsigned: its p50 ÷ reportlab's unsigned p50
"""
COLUMNS = (
    f"{'form':<24} {'pages':>5} {'sheet':>6} {'unsigned':>9} {'p95':>7} {'× empty':>8} "
    f"{'signed':>8} {'p95':>7} {'× empty':>8} {'WeasyPrint':>10} {'p95':>7} {'× unsigned':>10} "
    f"{'pages':>5}"
)


@dataclass(frozen=True)
class Form:
    """One kind of form, its content built from the case, and its English document title."""

    kind: str
    sheet: Sheet
    title: str


@dataclass(frozen=True)
class Row:
    """One line of the table: the timings of one kind of form."""

    kind: str
    sheet: Measurement
    unsigned: Measurement
    signed: Measurement
    weasyprint: Measurement
    pages: tuple[int, int]  # reportlab's, WeasyPrint's


def main(argv: list[str] | None = None) -> int:
    """Load the demo, then time each kind of form three ways against an empty page."""
    args = _options(argv)
    # Being stopped (SIGTERM) unwinds like Ctrl-C, so the temporary files are still removed.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="weasyprint")
    budget = Budget(iterations=args.repeat, seconds=args.seconds, warmup=args.warmup)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="homeward-forms-bench-") as directory:
        app = demo_app(Path(directory))
        try:
            with app.app_context():
                baseline, rows, steps = run(budget, args.redacted)
                languages = form_languages()
        finally:
            app.extensions["homeward.engine"].dispose()
    load = (load_before, os.getloadavg()[0])
    print(_heading(budget, f"{steps} steps, labels in {', '.join(languages)}", args.redacted, load))
    print(_table(baseline, rows))
    return 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.forms", description=main.__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time limit of each figure")
    parser.add_argument("--repeat", type=int, default=500, help="at most this many timed calls")
    parser.add_argument("--warmup", type=int, default=2, help="untimed calls before each figure")
    parser.add_argument("--redacted", action="store_true", help="the redacted variant")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.repeat < 1 or args.warmup < 0:
        parser.error("--seconds and --repeat must be positive, --warmup not negative")
    return args


def demo_app(workdir: Path) -> Flask:
    """The real application on a SQLite file in `workdir`, migrated, with the demo loaded."""
    os.environ["HOMEWARD_INSTANCE_PATH"] = str(workdir / "instance")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'homeward.sqlite3'}",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "ARGON2_MEMORY_KIB": 8192,
        }
    )
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(args=command)
        if result.exit_code != 0:
            raise RuntimeError(f"homeward {' '.join(command)} failed: {result.output}")
    return app


def run(budget: Budget, redacted: bool) -> tuple[Measurement, list[Row], int]:
    """Time the empty page, then every kind of form; return them and the case's step count."""
    print("Measuring an empty page …", flush=True)
    baseline = measure("empty page", empty_page, budget)
    with transactions.unit_of_work() as session:
        case, steps = chosen_case(session)
        rows = []
        for kind in KINDS:
            print(f"Measuring {kind} …", flush=True)
            rows.append(time_form(session, case, kind, redacted, budget))
    return baseline, rows, steps


def empty_page() -> bytes:
    """The least reportlab can write: one empty A4 page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def chosen_case(session: Session) -> tuple[Case, int]:
    """The case with the most steps among those with a name in Arabic script, and its steps."""
    counts = select(TransitionRecord.case_id, func.count().label("steps")).group_by(
        TransitionRecord.case_id
    )
    ranked = sorted(session.execute(counts), key=lambda row: row.steps, reverse=True)
    cases = [(session.get_one(Case, row.case_id), row.steps) for row in ranked]
    return next((pair for pair in cases if _has_arabic(pair[0])), cases[0])


def _has_arabic(case: Case) -> bool:
    return any(name.script is Script.ARABIC for person in case.people for name in person.names)


def build_form(session: Session, case: Case, kind: str, redacted: bool) -> Form:
    """The form's sheet, drawn up as `issue_form` draws it, with a fresh verification code."""
    opener = session.get_one(User, case.opened_by_id)
    sheet, title = draw_up(
        read_case_file(session, case, caller_of(opener)),
        kind,
        issuer=opener.agency.name,
        issued_on=utcnow().date(),
        shown=EVERYTHING,  # as the case's lawyer, who opened it, sees it
        redacted=redacted,
        code=codes.new_code(),
    )
    return Form(kind, sheet, title)


def time_form(session: Session, case: Case, kind: str, redacted: bool, budget: Budget) -> Row:
    """Time building the sheet, rendering it, rendering and signing it, and WeasyPrint's render."""
    form = build_form(session, case, kind, redacted)
    signer = form_signer()

    def unsigned() -> bytes:
        return render(form.sheet, form.title)

    def signed() -> bytes:
        return sign(render(form.sheet, form.title), signer)

    def weasyprint() -> bytes:
        return html_to_pdf(form_html(form.sheet, form.title))

    return Row(
        kind,
        measure("sheet", lambda: build_form(session, case, kind, redacted), budget),
        measure("unsigned", unsigned, budget),
        measure("signed", signed, budget),
        measure("weasyprint", weasyprint, budget),
        (page_count(unsigned()), page_count(weasyprint())),
    )


def html_to_pdf(markup: str) -> bytes:
    """WeasyPrint's PDF of the markup."""
    pdf: bytes = HTML(string=markup, base_url=str(FONTS)).write_pdf()
    return pdf


def page_count(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def _heading(budget: Budget, case: str, redacted: bool, load: tuple[float, float]) -> str:
    libraries = ", ".join(
        f"{name} {version(name)}" for name in ("reportlab", "pyHanko", "weasyprint")
    )
    return (
        f"\nHomeward forms benchmark: up to {budget.iterations} timed calls or "
        f"{budget.seconds:g} s per figure (at least 5 calls), after {budget.warmup} warm-up "
        f"call(s); {'redacted' if redacted else 'full'} variant of each form, for a demo case "
        f"of {case}\n"
        f"Python {platform.python_version()}, {libraries}, {os.cpu_count()} CPUs, one thread; "
        f"load average {load[0]:.2f} at the start, {load[1]:.2f} at the end\n"
        f"{LEGEND}"
    )


def _table(baseline: Measurement, rows: list[Row]) -> str:
    lines = [
        f"empty page (reportlab Canvas, showPage, save): p50 {baseline.p50_ms:.3f} ms, "
        f"p95 {baseline.p95_ms:.3f} ms, {baseline.count} calls\n",
        COLUMNS,
        "-" * len(COLUMNS),
    ]
    for row in rows:
        lines.append(
            f"{row.kind:<24} {row.pages[0]:>5} {row.sheet.p50_ms:>6.2f} "
            f"{row.unsigned.p50_ms:>9.2f} {row.unsigned.p95_ms:>7.2f} "
            f"{row.unsigned.p50_ms / baseline.p50_ms:>7.0f}× "
            f"{row.signed.p50_ms:>8.2f} {row.signed.p95_ms:>7.2f} "
            f"{row.signed.p50_ms / baseline.p50_ms:>7.0f}× "
            f"{row.weasyprint.p50_ms:>10.2f} {row.weasyprint.p95_ms:>7.2f} "
            f"{row.weasyprint.p50_ms / row.unsigned.p50_ms:>9.1f}× {row.pages[1]:>5}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
