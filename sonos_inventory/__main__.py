"""`python -m sonos_inventory` and the installed `sonos-inventory` command.

The command's modules load inside main(), so Ctrl-C while they load is one line and exit 130,
like Ctrl-C at any other moment (cli.main handles the rest)."""

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
