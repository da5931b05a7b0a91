"""What tools/code_counts.py counts, counted right, and the lines issue 32 drew held: no function
over 60 lines in product code, no reason written as a string where it is raised."""

from __future__ import annotations

import ast
from pathlib import Path

from tools import code_counts

ROOT = Path(__file__).resolve().parents[2]

SAMPLE = """
async def handler(request):
    async def work(connection, at):
        row = await connection.fetchrow("SELECT 1")
        return row["x"], r["y"], existing_row["z"], other["w"]
    unit = lambda c: c.fetch("SELECT 2")
    raise FailedPrecondition("NO_CANCELLATION", "m")
"""


def test_each_count_sees_what_it_names():
    tree = ast.parse(SAMPLE)
    assert code_counts.raw_rows(tree) == 3
    assert code_counts.connection_closures(tree) == 2
    assert code_counts.string_reasons(tree) == 1


def test_a_servicer_opening_a_transaction_is_counted():
    tree = ast.parse(
        "async def Get(self, request):\n"
        "    await self.tx.write('M', request, R, work)\n"
        "    await self.office.tx.read(load)\n"
        "    async with self.database.transaction() as c: pass\n"
        "    await self.service.get(request.name)\n"
        "    return await self.casework.write(request)\n"
    )
    assert code_counts.servicer_transactions(tree) == 3


def test_no_servicer_opens_a_transaction():
    """Servicers translate; the service layer's use cases open the transactions (decision 75)."""
    opened = {
        str(path.relative_to(ROOT)): count
        for path in code_counts.python_files(ROOT, "services", "shared")
        if path.name == "servicer.py"
        and (count := code_counts.servicer_transactions(code_counts.parse(path)))
    }
    assert opened == {}


def test_a_long_function_is_found_with_its_length():
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    found = code_counts.long_functions(Path("m.py"), ast.parse(f"def long():\n{body}\n"))
    assert found == [("m.py:long", 62)]


def test_no_product_function_is_over_sixty_lines():
    long = [
        entry
        for path in code_counts.python_files(ROOT, *code_counts.PRODUCT)
        for entry in code_counts.long_functions(path.relative_to(ROOT), code_counts.parse(path))
    ]
    assert long == []


def test_the_report_names_every_measure():
    report = code_counts.report(ROOT)
    for measure in (
        "raw rows",
        "string reasons",
        "closures taking a connection",
        "transactions opened in servicer.py files",
        "functions over 60",
    ):
        assert measure in report
