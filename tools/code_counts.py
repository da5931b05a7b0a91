"""Counts what issue 32 tracks in the product code: raw rows, string reasons, closures taking a
connection, long functions and who uses each part of shared/ (`python -m tools.code_counts [ROOT]`).

Every count is made from the syntax tree, so a comment or a docstring never counts:
- **raw rows**: a subscript with a string key on a name that holds a database row (`row`, `r`,
  `rec`, `record`, or a name ending in `_row`), in `services/` and `shared/`;
- **string reasons**: a call to one of the error classes whose reason (first argument, or
  `reason=`) is a string literal, in `services/` and `shared/`;
- **closures taking a connection**: a function or lambda defined inside another function whose
  first parameter is a connection (`c`, `conn`, `connection`, or annotated `asyncpg.Connection`),
  in `services/` and `shared/`;
- **transactions opened in servicers**: a call, in a `servicer.py`, that opens a transaction or
  takes a connection (`transaction`, `connection`, or `read`, `write`, `query`, `operate`,
  `write_many`, `write_together`, `keep` on a `tx` or a `database`): the use cases open them;
- **functions over 60 lines**: from `def` to the last line of the body, outside `tests/`,
  `bench/` and `gen/`;
- **lines in shared/ by who uses them**: each module's lines, under "one service" when one service
  alone imports it (and no other shared module does), under "two or more services" when more
  reach it (directly or through another shared module), or under "no service" when only the
  clients, tools and tests do.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

LONG_FUNCTION = 60
ROW_NAMES = re.compile(r"^(row|r|rec|record|\w+_row)$")
CONNECTION_NAMES = {"c", "conn", "connection"}
ERROR_CLASSES = {
    "FailedPrecondition",
    "AlreadyExists",
    "Aborted",
    "PermissionDenied",
    "ReasonedError",
    "Internal",
    "DataLoss",
    "ResourceExhausted",
    "InvalidArgument",
    "SignatureRefused",
    "FieldViolation",
}
PRODUCT = ("services", "shared", "cli", "tools")


def python_files(root: Path, *folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((root / folder).rglob("*.py"))


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def raw_rows(tree: ast.Module) -> int:
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and ROW_NAMES.match(node.value.id)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    )


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def string_reasons(tree: ast.Module) -> int:
    count = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _called_name(node) not in ERROR_CLASSES:
            continue
        reasons = [k.value for k in node.keywords if k.arg == "reason"]
        if _called_name(node) not in {"InvalidArgument", "FieldViolation"} and node.args:
            reasons.append(node.args[0])
        count += sum(1 for r in reasons if isinstance(r, ast.Constant) and isinstance(r.value, str))
    return count


def _takes_connection(args: ast.arguments) -> bool:
    params = [*args.posonlyargs, *args.args]
    if not params:
        return False
    first = params[0]
    annotation = ast.unparse(first.annotation) if first.annotation else ""
    return first.arg in CONNECTION_NAMES or annotation.endswith("Connection")


def connection_closures(tree: ast.Module) -> int:
    count = 0
    for outer in ast.walk(tree):
        if not isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(outer):
            if node is outer:
                continue
            nested = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if nested and _takes_connection(node.args):
                count += 1
    return count


TRANSACTION_METHODS = {"read", "write", "query", "operate", "write_many", "write_together", "keep"}


def servicer_transactions(tree: ast.Module) -> int:
    """Calls that open a transaction or take a connection: `x.transaction()`, `x.connection()`, or
    one of TRANSACTION_METHODS on something named `tx` or `database` (`self.tx.write(...)`)."""
    count = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method, owner = node.func.attr, node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if method in ("transaction", "connection") or (
            method in TRANSACTION_METHODS and owner_name in ("tx", "database")
        ):
            count += 1
    return count


def long_functions(path: Path, tree: ast.Module) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > LONG_FUNCTION:
                found.append((f"{path}:{node.name}", length))
    return found


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.Module, package: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            stem = f"{base}.{node.module}" if node.module else base
            names.add(stem)
            names.update(f"{stem}.{alias.name}" for alias in node.names)
    return names


def shared_lines_by_user(root: Path) -> dict[str, int]:
    """Lines of each shared module under the services that reach it, or 'no service'."""
    modules = {module_name(root, p): p for p in python_files(root, "shared")}
    imports = {}
    for path in python_files(root, "shared", "services"):
        name = module_name(root, path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imports[name] = {m for m in imported_modules(parse(path), package) if m in modules}
    users: dict[str, set[str]] = defaultdict(set)
    for name in imports:
        if not name.startswith("services."):
            continue
        service = name.split(".")[1]
        seen, todo = set(), list(imports[name])
        while todo:
            module = todo.pop()
            if module in seen:
                continue
            seen.add(module)
            users[module].add(service)
            todo.extend(imports.get(module, ()))
    importers: dict[str, set[str]] = defaultdict(set)
    for name, imported in imports.items():
        for module in imported:
            importers[module].add(name)
    lines: dict[str, int] = defaultdict(int)
    for name, path in modules.items():
        who = users.get(name, set())
        direct = {i.split(".")[1] for i in importers[name] if i.startswith("services.")}
        only_one = len(direct) == 1 and all(i.startswith("services.") for i in importers[name])
        if not who:
            key = "no service"
        elif len(who) == 1 or only_one:
            key = f"one service ({next(iter(direct or who))})"
        else:
            key = "two or more services"
        lines[key] += len(path.read_text().splitlines())
    return dict(lines)


def report(root: Path) -> str:
    rows = reasons = closures = in_servicers = 0
    for path in python_files(root, "services", "shared"):
        tree = parse(path)
        rows += raw_rows(tree)
        reasons += string_reasons(tree)
        closures += connection_closures(tree)
        if path.name == "servicer.py":
            in_servicers += servicer_transactions(tree)
    long = [
        entry
        for path in python_files(root, *PRODUCT)
        if "gen" not in path.relative_to(root).parts
        for entry in long_functions(path.relative_to(root), parse(path))
    ]
    lines = [
        f"raw rows (services, shared): {rows}",
        f"string reasons at raise sites (services, shared): {reasons}",
        f"closures taking a connection (services, shared): {closures}",
        f"transactions opened in servicer.py files: {in_servicers}",
        f"functions over {LONG_FUNCTION} lines (services, shared, cli, tools): {len(long)}",
        *(f"  {name}: {length}" for name, length in sorted(long, key=lambda e: -e[1])),
        "lines in shared/ by who uses them:",
        *(f"  {who}: {count}" for who, count in sorted(shared_lines_by_user(root).items())),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent
    print(report(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else default))
