"""The `ember` console command (installed by pip) and `python -m ember`."""
import sys

from . import _ember


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        return _ember.run_cli(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
