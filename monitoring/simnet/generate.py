"""Write our simulated network as snmpsim .snmprec files.

    python -m monitoring.simnet.generate DIR

One file per device kind; the snmpsim community is the file name without
``.snmprec``. Nothing here reads ../shared: the data lives in devices.py.
"""

import argparse
from pathlib import Path

from monitoring.simnet.devices import DEVICE_KINDS, EXPECTED_RATES
from monitoring.simnet.mibs import render

__all__ = ["DEVICE_KINDS", "EXPECTED_RATES", "main", "write_device", "write_all"]


def write_device(kind: str, directory: Path, community: str | None = None) -> Path:
    """Write one kind as ``<community or kind>.snmprec`` in directory."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{community or kind}.snmprec"
    path.write_text(render(DEVICE_KINDS[kind].records(kind)))
    return path


def write_all(directory: Path) -> list[Path]:
    return [write_device(kind, directory) for kind in DEVICE_KINDS]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    for path in write_all(args.directory):
        print(path)


if __name__ == "__main__":
    main()
