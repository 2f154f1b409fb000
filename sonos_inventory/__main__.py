import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the modules load
    sys.stderr.write("Interrupted.\n")
    sys.exit(130)

main()
