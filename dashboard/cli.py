"""The ``dashboard`` command (also ``python -m dashboard``).

Everything a user can script: run the app, import boundaries, manage users,
seed the demo accounts. Later commands (forecasts, exposure, reports) register
here too.
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard.auth import SYSTEM, Forbidden, Role
from dashboard.bootstrap import bootstrap
from dashboard.storms.feeds import FeedError

PACKAGE_DIR = Path(__file__).resolve().parent


def _context():
    return bootstrap()


def run_environment(
    args: argparse.Namespace, environ: dict[str, str]
) -> dict[str, str]:
    """The server's environment for ``dashboard run``.

    A real installation by default: demo mode only when asked for
    (``--demo``, as scripts/run.sh does, or DASHBOARD_DEMO=1); ``--no-demo``
    wins over the environment.
    """
    env = dict(environ)
    if args.demo:
        env["DASHBOARD_DEMO"] = "1"
    elif args.no_demo or not env.get("DASHBOARD_DEMO"):
        env["DASHBOARD_DEMO"] = "0"
    if args.data_dir:
        env["DASHBOARD_DATA_DIR"] = str(Path(args.data_dir).resolve())
    return env


def cmd_run(args: argparse.Namespace) -> int:
    env = run_environment(args, dict(os.environ))
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PACKAGE_DIR / "server.py"),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        "--server.headless",
        "true" if args.headless else "false",
    ]
    # Run from the checkout so .streamlit/config.toml applies.
    return _serve(command, env, PACKAGE_DIR.parent)


def _serve(command: list[str], env: dict[str, str], cwd: Path) -> int:
    """Become the server (exec), so a SIGINT/SIGTERM sent to ``dashboard run``
    reaches Streamlit itself and nothing keeps serving the port after it.

    Where exec is not available the server is a child: the signals are passed
    on to it and ``dashboard run`` exits with it.
    """
    if hasattr(os, "execve") and os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(cwd)
        os.execve(command[0], command, env)
    child = subprocess.Popen(command, env=env, cwd=cwd)  # pragma: no cover

    def forward(signum, _frame):  # pragma: no cover - not on POSIX
        child.send_signal(signum)

    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):  # pragma: no cover
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    return child.wait()  # pragma: no cover


def cmd_boundaries_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from dashboard.geo import layers
    from dashboard.geo.boundaries import BoundaryError

    ctx = _context()
    with tqdm(total=100, unit="%", desc="import", file=sys.stderr) as bar:

        def progress(fraction: float, stage: str) -> None:
            bar.set_description(stage)
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            result = layers.import_boundaries(
                ctx,
                SYSTEM,
                Path(args.file),
                source_name=Path(args.file).name,
                progress=progress,
            )
        except BoundaryError as exc:
            bar.close()
            print(f"refused: {exc}", file=sys.stderr)
            print("nothing was changed", file=sys.stderr)
            return 1
    print(result.report.summary())
    print(f"layer {result.layer.version} is now in use")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passwords differ")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    from dashboard import accounts

    ctx = _context()
    new = accounts.NewUser(
        username=args.username,
        display_name=args.name,
        password=_read_password(args),
        role=Role(args.role),
        province_codes=frozenset(args.province or ()),
        commune_code=args.commune,
    )
    with ctx.transaction() as session:
        accounts.create_user(session, SYSTEM, new)
    print(f"created {args.username} ({args.role})")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from dashboard import accounts

    ctx = _context()
    with ctx.sessions() as session:
        users = accounts.list_users(session, SYSTEM)
    print(f"{'username':<24} {'role':<10} {'scope':<12} {'status':<9} name")
    for u in users:
        scope = u.commune_code or u.province_codes or "-"
        status = "disabled" if u.disabled else ("demo" if u.is_demo else "active")
        print(f"{u.username:<24} {u.role:<10} {scope:<12} {status:<9} {u.display_name}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from dashboard import accounts

    ctx = _context()
    with ctx.transaction() as session:
        accounts.set_disabled(session, SYSTEM, args.username, not args.enable)
    print(f"{'enabled' if args.enable else 'disabled'} {args.username}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from dashboard.demo.accounts import seed_demo_accounts

    ctx = _context()
    with ctx.transaction() as session:
        created = seed_demo_accounts(session)
    print("created: " + (", ".join(created) if created else "nothing (already there)"))
    return 0


def _parse_clock(text: str | None):
    from datetime import UTC, datetime

    if not text:
        return None
    clock = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if clock.tzinfo is None:
        raise ValueError(f"--clock {text!r} needs a time zone, e.g. 2025-07-20T12:00Z")
    return clock.astimezone(UTC)


def _read_source(source: str) -> tuple[bytes, str]:
    """The bytes of a file or URL, and a name hint for format detection."""
    if source.startswith(("http://", "https://")):
        from dashboard.storms import feeds

        return feeds.download(source), source.rsplit("/", 1)[-1]
    path = Path(source)
    if not path.is_file():
        raise ValueError(f"{source}: no such file")
    return path.read_bytes(), path.name


def _load_forecasts(source: str, fmt: str | None, clock, storm: str | None = None):
    from dashboard.storms.parsers import detect_format, parse
    from dashboard.storms.parsers._common import to_text

    data, name = _read_source(source)
    options = {}
    chosen = fmt or detect_format(to_text(data, "a storm product"), name)
    if chosen == "ibtracs" and storm:
        options["sid" if storm[:4].isdigit() else "name"] = storm
    if clock is not None:
        if chosen != "ibtracs":
            raise ValueError("--clock replays a past storm: it needs an IBTrACS file")
        options["clock"] = clock
    return parse(data, format=chosen, name_hint=name, **options)


def cmd_forecast_parse(args: argparse.Namespace) -> int:
    import json

    found = _load_forecasts(args.source, args.format, _parse_clock(args.clock))
    if args.json:
        payload = [f.as_dict() for f in found]
        print(
            json.dumps(
                payload[0] if len(payload) == 1 else payload,
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for f in found:
        print(
            f"{f.storm_name} ({f.storm_id}) from {f.source} {f.product}, issued "
            f"{f.issued_utc:%Y-%m-%d %H:%M} UTC, {f.wind_averaging_minutes}-min winds: "
            f"{len(f.past)} past and {len(f.forecast)} forecast points"
        )
    return 0


def cmd_forecast_fetch(args: argparse.Namespace) -> int:
    from dashboard import forecasts
    from dashboard.storms import feeds

    ctx = _context()
    outcomes = forecasts.poll_feeds(ctx, feeds.load_feeds(args.feeds))
    for outcome in outcomes:
        if outcome.ok:
            print(
                f"{outcome.feed}: {outcome.status}, {len(outcome.new_ids)} new advisories "
                f"({len(outcome.forecast_ids)} storms concern Vietnam, {outcome.dropped} elsewhere)"
            )
        else:
            print(
                f"{outcome.feed}: FAILED, {outcome.error}; stored forecasts unchanged",
                file=sys.stderr,
            )
    return 0 if all(o.ok for o in outcomes) else 1


def cmd_exposure(args: argparse.Namespace) -> int:
    from dashboard import registry, situation
    from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast

    clock = _parse_clock(args.clock)
    if args.forecast:
        found = _load_forecasts(args.forecast, args.format, clock, args.storm)
        if args.storm:
            found = [f for f in found if args.storm in (f.storm_id, f.storm_name)]
        if len(found) != 1:
            names = ", ".join(f"{f.storm_name} ({f.storm_id})" for f in found) or "none"
            raise ValueError(
                f"choose one storm with --storm; the product holds: {names}"
            )
        forecast = found[0]
    else:
        clock = clock or DRILL_CLOCK
        forecast = drill_forecast(clock)
    polygons = None
    if args.boundaries:
        from dashboard.geo.boundaries import load

        frame, _report = load(args.boundaries, registry.communes())
        polygons = frame[frame["commune_code"].isin(registry.commune_codes())]
    table = situation.exposure_table(
        forecast, situation.commune_points(polygons), clock
    )
    text = situation.exposure_csv(table)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        exposed = len(situation.exposed_communes(table))
        print(f"wrote {len(table)} communes ({exposed} exposed) to {args.output}")
    return 0


def cmd_report_sitrep(args: argparse.Namespace) -> int:
    """Write the province situation report, acting as ``SYSTEM``.

    The context opens as configured (``DASHBOARD_DEMO``); ``--demo`` opens it
    in demo mode, which seeds the demo accounts and activates Hưng Yên's
    Wipha drill plans, as ``dashboard run`` does by default. Either way a fresh
    data directory runs the embedded Wipha drill.
    """
    from dataclasses import replace

    from dashboard import registry
    from dashboard.config import load_settings
    from dashboard.reports.sitrep import (
        build_sitrep,
        sitrep_pdf,
        sitrep_text,
        sitrep_xlsx,
    )

    if args.province not in registry.province_codes():
        raise ValueError(f"no province {args.province!r}")
    settings = load_settings()
    if args.demo:
        settings = replace(settings, demo_mode=True)
    ctx = bootstrap(settings)
    try:
        report = build_sitrep(ctx, SYSTEM, args.province)
    finally:
        ctx.engine.dispose()
    if args.format == "pdf":
        data = sitrep_pdf(report, lang=args.lang)
    elif args.format == "xlsx":
        data = sitrep_xlsx(report)
    else:
        data = sitrep_text(report, lang=args.lang).encode("utf-8")
    if args.output in (None, "-") and args.format == "txt":
        sys.stdout.write(data.decode("utf-8") + "\n")
        return 0
    if args.output in (None, "-"):
        raise ValueError(f"--output PATH is needed for --format {args.format}")
    Path(args.output).write_bytes(data)
    storm = report.forecast.storm_name if report.forecast else "no storm"
    mode = "drill" if report.is_drill else "live"
    print(
        f"wrote the {args.format} situation report of {report.province_name} "
        f"({storm}, {mode}, {report.exposed_total} exposed communes) "
        f"to {args.output}"
    )
    return 0


def cmd_alerts_cap(args: argparse.Namespace) -> int:
    """The CAP 1.2 alert of one province for the storm shown now (drill or live)."""
    from dashboard import registry, scenario, situation
    from dashboard.alerts.cap import build_province_alert, validate
    from dashboard.alerts.service import draft_province_alert
    from dashboard.geo import layers

    if args.province not in registry.province_codes():
        raise ValueError(f"no province {args.province!r}")
    ctx = bootstrap()
    try:
        with ctx.sessions() as session:
            sc = scenario.current(session)
        exposures = situation.storm_exposures(ctx, sc)
        if not exposures:
            print("no storm concerns Vietnam now: no alert", file=sys.stderr)
            return 1
        storm = exposures[0]
        polygons = layers.full_polygons(layers.current_layer(ctx))
        settings = ctx.settings
        if args.draft:
            with ctx.transaction() as session:
                view = draft_province_alert(
                    session,
                    SYSTEM,
                    storm.forecast,
                    storm.table,
                    args.province,
                    sc.clock_utc,
                    settings.cap_sender,
                    settings.public_url,
                    is_drill=sc.is_drill,
                    drill_name=sc.drill_name if sc.is_drill else "",
                    polygons=polygons,
                )
            if view is None:
                print(
                    "no commune of the province is exposed: no alert", file=sys.stderr
                )
                return 1
            print(
                f"stored draft {view.identifier} (approve and publish it on the page)"
            )
            return 0
        alert = build_province_alert(
            storm.forecast,
            storm.table,
            args.province,
            sc.clock_utc,
            settings.cap_sender,
            is_drill=sc.is_drill,
            drill_name=sc.drill_name if sc.is_drill else "",
            polygons=polygons,
        )
    finally:
        ctx.engine.dispose()
    if alert is None:
        print("no commune of the province is exposed: no alert", file=sys.stderr)
        return 1
    validate(alert.xml)
    if args.output in (None, "-"):
        sys.stdout.write(alert.xml.decode("utf-8"))
    else:
        Path(args.output).write_bytes(alert.xml)
        print(f"wrote {alert.identifier} ({alert.status}) to {args.output}")
    return 0


def cmd_report_weekly(args: argparse.Namespace) -> int:
    """Write one province's weekly report (or, with ``--province all``, the
    national roll-up as XLSX or text)."""
    from datetime import UTC, date, datetime, timedelta

    from dashboard import registry
    from dashboard.config import load_settings
    from dashboard.reports import weekly, weekly_render

    week = args.week or weekly.current_iso_week(datetime.now(UTC) - timedelta(weeks=1))
    weekly.week_bounds(week)  # a bad week fails before the store opens
    national = args.province == "all"
    if not national and args.province not in registry.province_codes():
        raise ValueError(f"no province {args.province!r}")
    if national and args.format not in ("xlsx", "txt"):
        raise ValueError("the national roll-up is written as xlsx or txt")
    ctx = bootstrap(load_settings())
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dashboard", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="start the web app (a real installation; --demo for the demo)"
    )
    run.add_argument("--port", type=int, default=8501)
    run.add_argument("--address", default="localhost")
    demo = run.add_mutually_exclusive_group()
    demo.add_argument(
        "--demo",
        action="store_true",
        help="demo mode: seed and allow the demo accounts (scripts/run.sh)",
    )
    demo.add_argument(
        "--no-demo",
        action="store_true",
        help="refuse the demo accounts (the default unless DASHBOARD_DEMO=1)",
    )
    run.add_argument(
        "--data-dir", help="data directory (default: DASHBOARD_DATA_DIR or var/)"
    )
    run.add_argument("--headless", action="store_true", help="do not open a browser")
    run.set_defaults(func=cmd_run)

    boundaries = commands.add_parser("boundaries", help="commune boundary layers")
    b_commands = boundaries.add_subparsers(dest="action", required=True)
    b_import = b_commands.add_parser(
        "import", help="import GeoJSON, GeoPackage or zipped Shapefile boundaries"
    )
    b_import.add_argument("file")
    b_import.set_defaults(func=cmd_boundaries_import)

    users = commands.add_parser("users", help="accounts")
    u_commands = users.add_subparsers(dest="action", required=True)
    add = u_commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--province", action="append", help="province code (repeatable)")
    add.add_argument("--commune", help="commune code (role commune)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    add.set_defaults(func=cmd_users_add)
    u_commands.add_parser("list", help="list accounts").set_defaults(
        func=cmd_users_list
    )
    disable = u_commands.add_parser("disable", help="disable an account")
    disable.add_argument("username")
    disable.set_defaults(func=cmd_users_disable, enable=False)
    enable = u_commands.add_parser("enable", help="re-enable an account")
    enable.add_argument("username")
    enable.set_defaults(func=cmd_users_disable, enable=True)

    forecast = commands.add_parser("forecast", help="storm forecasts")
    f_commands = forecast.add_subparsers(dest="action", required=True)
    f_parse = f_commands.add_parser("parse", help="parse a forecast file or URL")
    f_parse.add_argument("source", metavar="FILE_OR_URL")
    f_parse.add_argument("--format", help="gdacs, jtwc, atcf, ibtracs, nhc or nchmf")
    f_parse.add_argument(
        "--json", action="store_true", help="print the canonical model"
    )
    f_parse.add_argument(
        "--clock", help="replay an IBTrACS storm as if issued then (UTC)"
    )
    f_parse.set_defaults(func=cmd_forecast_parse)

    f_fetch = f_commands.add_parser(
        "fetch", help="poll the configured feeds once (for cron)"
    )
    f_fetch.add_argument("--feeds", help="YAML list of feeds (default: GDACS cyclones)")
    f_fetch.set_defaults(func=cmd_forecast_fetch)

    exposure = commands.add_parser(
        "exposure", help="per-commune exposure CSV (default: the Wipha drill)"
    )
    exposure.add_argument("--forecast", metavar="FILE_OR_URL")
    exposure.add_argument("--format")
    exposure.add_argument(
        "--storm", help="storm id or name when the product has several"
    )
    exposure.add_argument(
        "--clock", help="exposure from this time (UTC); drills and IBTrACS"
    )
    exposure.add_argument(
        "--boundaries", metavar="FILE", help="commune polygons to use"
    )
    exposure.add_argument("--output", default="-", help="CSV path, or - for stdout")
    exposure.set_defaults(func=cmd_exposure)

    report = commands.add_parser("report", help="reports")
    r_commands = report.add_subparsers(dest="action", required=True)
    sitrep = r_commands.add_parser(
        "sitrep", help="a province's situation report (PDF, XLSX or text)"
    )
    sitrep.add_argument("--province", required=True, metavar="CODE")
    sitrep.add_argument("--format", required=True, choices=["pdf", "xlsx", "txt"])
    sitrep.add_argument(
        "--output", default="-", metavar="PATH", help="file (- for stdout: txt only)"
    )
    sitrep.add_argument("--lang", default="vi", choices=["vi", "en"])
    sitrep.add_argument(
        "--demo",
        action="store_true",
        help="open in demo mode (Hưng Yên's Wipha drill plans and demo accounts)",
    )
    sitrep.set_defaults(func=cmd_report_sitrep)

    weekly = r_commands.add_parser(
        "weekly",
        help="a province's weekly report to the Ministry (PDF, XLSX, DOCX or text)",
    )
    weekly.add_argument(
        "--province", required=True, metavar="CODE", help="a code, or 'all' (admin)"
    )
    weekly.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week (default: last week)"
    )
    weekly.add_argument(
        "--format", required=True, choices=["docx", "pdf", "txt", "xlsx"]
    )
    weekly.add_argument(
        "--output", default="-", metavar="PATH", help="file (- for stdout: txt only)"
    )
    weekly.add_argument(
        "--summary", default="", help="the province's summary (default: the saved one)"
    )
    weekly.add_argument("--number", default="", help="register number (DOCX)")
    weekly.add_argument(
        "--date", default="", metavar="YYYY-MM-DD", help="date of issue (DOCX)"
    )
    weekly.set_defaults(func=cmd_report_weekly)

    alerts = commands.add_parser("alerts", help="CAP 1.2 storm alerts")
    a_commands = alerts.add_subparsers(dest="alerts_command", required=True)
    cap = a_commands.add_parser(
        "cap",
        help="the CAP alert of one province for the storm shown now, "
        "validated against the OASIS schema",
    )
    cap.add_argument("--province", required=True, help="province code, e.g. 33")
    cap.add_argument("--output", help="file to write (default: standard output)")
    cap.add_argument(
        "--draft",
        action="store_true",
        help="store it as a draft for province staff to approve and publish",
    )
    cap.set_defaults(func=cmd_alerts_cap)

    seed = commands.add_parser("seed", help="create the demo accounts")
    seed.set_defaults(func=cmd_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, Forbidden, OSError, FeedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
