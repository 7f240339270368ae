"""The `hexa` command: Django's management command with Hexa's settings.

`hexa migrate`, `hexa createsuperuser`, `hexa serve`, `hexa log ACME --text ...`, ...
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexa.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
