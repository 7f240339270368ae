"""`hexa import`, run as a user runs it: the real command, on a real database with the demo,
reading files the tests write."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import termios
import time

import pytest

from tests.conftest import HEXA, live_query, run_hexa
from tests.spreadsheets import csv_bytes, many_clients, xlsx_bytes


def hexa_import(env, *args: str, input: str | None = None):
    return run_hexa(env, "import", *args, check=False, input=input)


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def client(env, code: str):
    rows = live_query(
        env, "SELECT name, tax_id, email, phone, active FROM crm_client WHERE code = %s", code
    )
    return rows[0] if rows else None


def clients(env) -> int:
    return live_query(env, "SELECT COUNT(*) FROM crm_client")[0][0]


MIXED = [
    ["Código", "Nombre", "NIF", "Email", "Provincia"],
    ["NUEVACLI", "Nueva Distribución S.L.", "B44444444", "hola@nueva.es", "Sevilla"],
    ["HOTELMAR", "", "", "reservas@hotelmarazul.es", ""],
    ["MALA", "Mala", "", "no-es-email", ""],
    ["DOBLE", "Uno", "", "", ""],
    ["DOBLE", "Dos", "", "", ""],
    ["PANRIVERA", "", "B29384756", "", ""],  # CLINICASOL's tax id
]


def test_dry_run_lists_the_plan_and_the_wrong_rows_and_writes_nothing(env, tmp_path):
    before = clients(env)

    done = hexa_import(env, "clients", write(tmp_path, "mixed.csv", csv_bytes(MIXED)), "--dry-run")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "mixed.csv (CSV, UTF-8, separated by “;”): 6 rows." in out
    assert "Ignored columns: Provincia." in out
    assert "To create: 1 · to update: 1 · unchanged: 0 · wrong: 4" in out
    assert "row 4 MALA: Email: Enter a valid email address." in out
    assert "row 5 DOBLE: Code: DOBLE is also on row 6." in out
    assert "row 7 PANRIVERA: Tax id: B29384756 is client CLINICASOL's." in out
    assert "Dry run: nothing was written." in out
    assert clients(env) == before
    assert live_query(env, "SELECT COUNT(*) FROM crm_importjob")[0][0] == 0


def test_dry_run_with_verbosity_2_says_what_every_row_does(env, tmp_path):
    done = hexa_import(
        env, "clients", write(tmp_path, "mixed.csv", csv_bytes(MIXED)), "--dry-run", "-v", "2"
    )

    assert "row 2 NUEVACLI: create “Nueva Distribución S.L.” (Tax id: B44444444" in done.stdout
    assert "row 3 HOTELMAR: update (Email: direccion@hotelmarazul.es → reservas@" in done.stdout


def test_refusing_the_confirmation_writes_nothing(env, tmp_path):
    before = clients(env)

    refused = hexa_import(env, "clients", write(tmp_path, "m.csv", csv_bytes(MIXED)), input="n\n")

    assert refused.returncode == 1
    assert "Create 1 and update 1 clients? [y/N]" in refused.stdout
    assert "Nothing was imported." in refused.stdout
    assert clients(env) == before
    assert client(env, "HOTELMAR")[2] == "direccion@hotelmarazul.es"


def test_no_answer_is_no(env, tmp_path):
    refused = hexa_import(env, "clients", write(tmp_path, "m.csv", csv_bytes(MIXED)), input="")

    assert refused.returncode == 1
    assert client(env, "NUEVACLI") is None


def test_a_mixed_file_confirmed_imports_the_good_rows_and_lists_the_wrong_ones(env, tmp_path):
    path = write(tmp_path, "mixed.csv", csv_bytes(MIXED, encoding="cp1252"))

    done = hexa_import(env, "clients", path, input="sí\n")

    assert done.returncode == 0, done.stderr
    assert "CSV, Windows-1252" in done.stdout
    assert (
        "Imported. Created: 1 · updated: 1 · unchanged: 0 · failed: 0 · wrong rows skipped: 4"
        in done.stdout
    )
    assert client(env, "NUEVACLI") == (
        "Nueva Distribución S.L.",
        "B44444444",
        "hola@nueva.es",
        "",
        True,
    )
    assert client(env, "HOTELMAR")[2] == "reservas@hotelmarazul.es"
    assert client(env, "MALA") is None and client(env, "DOBLE") is None
    assert client(env, "PANRIVERA")[1] == "B18273645"
    job = live_query(env, "SELECT via, status, created, updated FROM crm_importjob")[-1]
    assert job == ("cli", "done", 1, 1)

    again = hexa_import(env, "clients", path, "--yes")

    assert again.returncode == 0
    assert "To create: 0 · to update: 0 · unchanged: 2 · wrong: 4" in again.stdout
    assert "Nothing to import." in again.stdout


def test_a_good_xlsx_file_is_imported_with_yes(env, tmp_path):
    data = xlsx_bytes(
        [
            ["Code", "Company name", "VAT number", "Phone", "Active"],
            ["XLSXCLI", "Hoja de Cálculo S.A.", "A12345678", 958000111, False],
        ]
    )

    done = hexa_import(env, "clients", write(tmp_path, "clients.xlsx", data), "--yes")

    assert done.returncode == 0, done.stderr
    assert "Excel workbook (.xlsx)" in done.stdout
    assert client(env, "XLSXCLI") == ("Hoja de Cálculo S.A.", "A12345678", "", "958000111", False)


def test_employees_are_imported_from_the_command_line(env, tmp_path):
    data = csv_bytes(
        [["Código", "Nombre", "Correo", "Usuario"], ["ROSA", "Rosa Díaz", "rosa@hexa.es", "javier"]]
    )

    refused = hexa_import(env, "employees", write(tmp_path, "e.csv", data), "--yes")

    assert refused.returncode == 0
    assert "That login user is already linked to Javier Ortega." in refused.stdout
    data = csv_bytes([["Código", "Nombre", "Correo"], ["ROSA", "Rosa Díaz", "rosa@hexa.es"]])
    done = hexa_import(env, "employees", write(tmp_path, "e.csv", data), "--yes")
    assert done.returncode == 0, done.stderr
    assert live_query(env, "SELECT name, email FROM crm_employee WHERE code = 'ROSA'") == [
        ("Rosa Díaz", "rosa@hexa.es")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Codigo;Nombre\r\nUNO;Caf\x81\x8d\r\n", "not text in UTF-8 or Windows-1252"),
        (csv_bytes([["Nombre", "Email"], ["Uno", "a@b.es"]]), "no column for the code"),
        (b"", "The file is empty."),
        (b"Codigo;Nombre\r\n", "no rows below it"),
    ],
)
def test_a_file_that_cannot_be_imported_exits_2_saying_why(env, tmp_path, data, message):
    before = clients(env)

    refused = hexa_import(env, "clients", write(tmp_path, "bad.csv", data), "--yes")

    assert refused.returncode == 2
    assert refused.stderr.startswith("error: FILE: ")
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr
    assert clients(env) == before


def test_a_missing_file_exits_2(env, tmp_path):
    refused = hexa_import(env, "clients", str(tmp_path / "nowhere.csv"))

    assert refused.returncode == 2
    assert "No such file or directory" in refused.stderr


def test_json_prints_the_plan_and_the_result(env, tmp_path):
    rows = [["Code", "Name", "Email"], ["JSONCLI", "Json S.L.", "j@json.es"], ["BAD", "", "x"]]
    path = write(tmp_path, "j.csv", csv_bytes(rows, separator=","))

    planned = json.loads(hexa_import(env, "clients", path, "--json", "--dry-run").stdout)
    done = hexa_import(env, "clients", path, "--json", "--yes")

    assert planned["plan"] == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    assert planned["result"] is None
    assert planned["rows"][1] == {
        "row": 3,
        "action": "error",
        "code": "BAD",
        "name": "",
        "changes": {},
        "reasons": [
            {"field": "name", "message": "This field cannot be blank."},
            {"field": "email", "message": "Enter a valid email address."},
        ],
    }
    body = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert body["result"]["created"] == 1
    assert body["result"]["failed"] == []
    assert client(env, "JSONCLI")[2] == "j@json.es"


def test_json_errors_are_json(env, tmp_path):
    refused = hexa_import(env, "clients", write(tmp_path, "b.csv", b"x"), "--json", "--yes")

    assert refused.returncode == 2
    assert json.loads(refused.stdout)["fields"]["file"]


def test_json_without_dry_run_or_yes_is_refused(env, tmp_path):
    refused = hexa_import(env, "clients", write(tmp_path, "j.csv", csv_bytes(MIXED)), "--json")

    assert refused.returncode == 2
    assert "--json needs --dry-run or --yes" in refused.stderr


def test_an_unknown_kind_is_a_usage_error(env, tmp_path):
    refused = hexa_import(env, "projects", write(tmp_path, "p.csv", csv_bytes(MIXED)))

    assert refused.returncode == 2
    assert "invalid choice" in refused.stderr


def test_ten_thousand_rows_with_a_progress_bar_on_a_terminal(env, tmp_path):
    path = write(tmp_path, "big.csv", csv_bytes(many_clients(10_000)))
    before = clients(env)
    # stderr on a terminal, as when someone runs it: tqdm draws its bar there, as wide as
    # the terminal says it is.
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [str(HEXA), "import", "clients", path, "--yes"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            timeout=300,
            check=False,
        )
        os.close(terminal)
        bar = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            bar += chunk
    finally:
        os.close(controller)
    elapsed = time.perf_counter() - started

    assert done.returncode == 0, bar.decode(errors="replace")
    assert "Imported. Created: 10,000 ·" in done.stdout
    assert "10000/10000" in bar.decode()
    assert "100%" in bar.decode()
    assert clients(env) == before + 10_000
    print(f"hexa import of 10,000 new clients: {elapsed:.1f} s")
