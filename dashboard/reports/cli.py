"""``dashboard report weekly``: the weekly report to the Ministry from the command line.

To wire it, in :func:`dashboard.cli.build_parser` after the ``sitrep``
sub-command::

    from dashboard.reports.cli import add_weekly_parser
    add_weekly_parser(r_commands)

The command acts as ``SYSTEM`` (an admin), like ``report sitrep``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dashboard.auth import SYSTEM
from dashboard.reports.weekly_render import FORMATS

__all__ = ["add_weekly_parser", "cmd_report_weekly"]


def cmd_report_weekly(args: argparse.Namespace) -> int:
    """Write one province's weekly report (or, with ``--province all``, the
    national roll-up as XLSX or text)."""
    from dashboard import registry
    from dashboard.config import load_settings
    from dashboard.context import open_context
    from dashboard.reports import weekly, weekly_render

    week = args.week or weekly.current_iso_week(datetime.now(UTC) - timedelta(weeks=1))
    weekly.week_bounds(week)  # a bad week fails before the store opens
    national = args.province == "all"
    if not national and args.province not in registry.province_codes():
        raise ValueError(f"no province {args.province!r}")
    if national and args.format not in ("xlsx", "txt"):
        raise ValueError("the national roll-up is written as xlsx or txt")
    ctx = open_context(load_settings())
    try:
        with ctx.sessions() as session:
            if national:
                rollup = weekly.national_rollup(session, SYSTEM, week)
            else:
                report = weekly.weekly_report(
                    session, SYSTEM, args.province, week, args.summary or ""
                )
    finally:
        ctx.engine.dispose()
    if national:
        data = (
            weekly_render.rollup_to_xlsx(rollup)
            if args.format == "xlsx"
            else weekly_render.rollup_to_text(rollup).encode("utf-8")
        )
        what = f"national roll-up of {week}"
    else:
        options: dict[str, object] = {}
        if args.format == "docx":
            if args.number:
                options["number"] = args.number
            if args.date:
                options["issued_on"] = date.fromisoformat(args.date)
        data = weekly_render.render(report, args.format, **options)
        totals = report.totals
        what = (
            f"weekly report of {report.province_name} for {week} "
            f"({totals['raised']} raised, {totals['answered']} answered, "
            f"{totals['forwarded']} forwarded, {totals['open']} open)"
        )
    if args.output in (None, "-"):
        if args.format != "txt":
            raise ValueError(f"--output PATH is needed for --format {args.format}")
        sys.stdout.write(data.decode("utf-8") + "\n")
        return 0
    Path(args.output).write_bytes(data)
    print(f"wrote the {args.format} {what} to {args.output}")
    return 0


def add_weekly_parser(r_commands) -> argparse.ArgumentParser:
    """Add ``weekly`` to the ``report`` sub-commands."""
    parser = r_commands.add_parser(
        "weekly",
        help="a province's weekly report to the Ministry (PDF, XLSX, DOCX or text)",
    )
    parser.add_argument(
        "--province", required=True, metavar="CODE", help="a code, or 'all' (admin)"
    )
    parser.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week (default: last week)"
    )
    parser.add_argument("--format", required=True, choices=sorted(FORMATS))
    parser.add_argument(
        "--output", default="-", metavar="PATH", help="file (- for stdout: txt only)"
    )
    parser.add_argument(
        "--summary", default="", help="the province's summary (default: the saved one)"
    )
    parser.add_argument("--number", default="", help="register number (DOCX)")
    parser.add_argument(
        "--date", default="", metavar="YYYY-MM-DD", help="date of issue (DOCX)"
    )
    parser.set_defaults(func=cmd_report_weekly)
    return parser
