"""The ``dashboard`` command (also ``python -m dashboard``).

Everything a user can script: run the app, import boundaries, manage users,
seed the demo accounts. Later commands (forecasts, exposure, reports) register
here too.
"""

from __future__ import annotations

import argparse
import getpass
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard.auth import SYSTEM, PermissionDenied, Role

PACKAGE_DIR = Path(__file__).resolve().parent


def _context():
    from dashboard.context import open_context

    return open_context()


def cmd_run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env["DASHBOARD_DEMO"] = "0" if args.no_demo else env.get("DASHBOARD_DEMO", "1")
    if args.data_dir:
        env["DASHBOARD_DATA_DIR"] = str(Path(args.data_dir).resolve())
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
    return subprocess.call(command, env=env, cwd=PACKAGE_DIR.parent)


def cmd_boundaries_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from dashboard import layers
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
    from dashboard.demo import seed_demo_accounts

    ctx = _context()
    with ctx.transaction() as session:
        created = seed_demo_accounts(session)
    print("created: " + (", ".join(created) if created else "nothing (already there)"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dashboard", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the web app (demo mode by default)")
    run.add_argument("--port", type=int, default=8501)
    run.add_argument("--address", default="localhost")
    run.add_argument("--no-demo", action="store_true", help="refuse the demo accounts")
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

    seed = commands.add_parser("seed", help="create the demo accounts")
    seed.set_defaults(func=cmd_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, PermissionDenied) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
