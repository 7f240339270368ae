"""`python -m bench.inprocess OPTIONS_JSON RESULT_PATH`: the in-process half of a run.

bench.cli starts it once per database with HEXA_DATABASE_URL and HEXA_DATA_DIR set, because
Django reads its settings once per process. It builds the dataset, times the domain function
and the SQL floor, issues the API token for the HTTP runs, and writes the results as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import django

from bench.options import Options


def main(argv: list[str]) -> None:
    options = Options.from_json(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexa.settings")
    django.setup()
    from bench import measure  # models can only be imported once Django is set up

    Path(argv[2]).write_text(json.dumps(measure.run(options)))


if __name__ == "__main__":
    main(sys.argv)
