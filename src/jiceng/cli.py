"""The `jiceng` command: Django's management commands under the project's own name.

`jiceng demo`, `jiceng serve`, `jiceng token USER`, `jiceng seed`, `jiceng bench` and every
standard command (`jiceng migrate`, `jiceng createsuperuser`, ...) are management commands.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiceng", *sys.argv[1:]])


if __name__ == "__main__":
    main()
