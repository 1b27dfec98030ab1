"""Install the DuckDB extensions this project needs from PyPI wheels, offline.

DuckDB normally downloads extensions from its own server, which this project
never relies on (the profile sets autoinstall_known_extensions: false). The
SQLite scanner ships on PyPI as `duckdb-extension-sqlite-scanner`; this script
copies it into the extension folder the dbt profile points DuckDB at.

Usage: python scripts/install_duckdb_extensions.py [--extension-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
import duckdb_extensions

DEFAULT_EXTENSION_DIR = Path(
    os.environ.get("SPENDSENSE_DUCKDB_EXTENSION_DIR", ".venv/duckdb_extensions")
)
EXTENSIONS = ("sqlite_scanner",)


def install(extension_dir: Path) -> None:
    """Install every extension in EXTENSIONS into `extension_dir` and prove it loads."""
    extension_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "extension_directory": str(extension_dir),
        "autoinstall_known_extensions": False,
    }
    with duckdb.connect(config=config) as connection:
        for name in EXTENSIONS:
            duckdb_extensions.import_extension(name, con=connection)
            connection.execute(f"load {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--extension-dir",
        type=Path,
        default=DEFAULT_EXTENSION_DIR,
        help="folder DuckDB loads extensions from (default: %(default)s, as in profiles.yml)",
    )
    args = parser.parse_args(argv)
    try:
        install(args.extension_dir)
    except (duckdb.Error, ModuleNotFoundError) as error:
        print(
            f"Could not install the DuckDB extensions into {args.extension_dir}: {error}\n"
            "Re-run `make setup`; it installs the pinned duckdb and extension wheels.",
            file=sys.stderr,
        )
        return 1
    print(f"DuckDB extensions {', '.join(EXTENSIONS)} installed in {args.extension_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
