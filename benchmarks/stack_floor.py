"""The stack's own floor for a perfeval start-up: the least a typer command on the same stack does.

    python benchmarks/stack_floor.py benchmarks/stack_floor.yaml

One typer command that reads a small YAML file (``yaml.CSafeLoader``), validates it against a
two-model pydantic schema (a sheet of rows) and prints a 30-row rich table. It is written as a
typer app would ordinarily be written — no start-up tricks — so that ``perfeval score`` measured
against it (benchmarks/run.py) shows what perfeval's own work costs on top of its stack.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import pydantic
import typer
import yaml
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False)


class Row(pydantic.BaseModel):
    id: str
    name: str
    points: Decimal
    claimed: Decimal | None = None


class Sheet(pydantic.BaseModel):
    title: str
    rows: list[Row]


@app.command()
def main(path: Annotated[Path, typer.Argument(help="a YAML file of a sheet")]) -> None:
    with path.open(encoding="utf-8") as fh:
        sheet = Sheet.model_validate(yaml.load(fh, Loader=yaml.CSafeLoader))
    table = Table(title=sheet.title)
    for column in ("指标", "分值", "自评得分", "说明"):
        table.add_column(column)
    for row in sheet.rows:
        claimed = "" if row.claimed is None else str(row.claimed)
        table.add_row(row.name, str(row.points), claimed, f"{row.id}：{row.name}的评分说明")
    Console().print(table)


if __name__ == "__main__":
    app()
