"""Where a figure came from (出处) and what a report claims (报告所称), as data.

A :class:`Source` is a table cell or a narrative sentence, kept in the department file (``sources:``,
by key path) so that it survives the workbook and ``perfeval extract`` can fill it. A :class:`Claim`
is a figure the report states — 执行率 100%, 在职人员控制率 95.10%, 全年执行数 2,030.12,
“三公经费较上年增长146%” — which ``check`` compares with what the data gives
(:mod:`perfeval.core.claims`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from perfeval.core.number_text import parse_ratio
from perfeval.core.rules import Formula

MAX_QUOTE = 500  # characters of a quoted sentence
MAX_PASSAGE = 20_000  # characters of one paragraph of a report's narrative


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """出处：报告的哪一页哪一行，或哪张表的哪一格；可引原句。"""

    document: str | None = Field(None, title="文件（报告、附件名称）")
    page: Annotated[int, Field(ge=1)] | None = Field(None, title="页码")
    line: Annotated[int, Field(ge=1)] | None = Field(None, title="行号")
    paragraph: Annotated[int, Field(ge=1)] | None = Field(None, title="段落号（Word 文件没有页和行，按段落计）")
    table: str | None = Field(None, title="表名（如 附件1）")
    cell: str | None = Field(None, title="单元格或栏目（如 D7、收入来源·小计）")
    text: Annotated[str, Field(max_length=MAX_QUOTE)] | None = Field(None, title="原文（引用的句子）")


class Passage(_Model):
    """报告正文的一段：原文（规范化后：去掉汉字旁提取时多出的空白）与它在报告中的位置。

    ``perfeval extract`` 把报告正文逐段存入部门文件（``narrative:``），使 ``check`` 能在只给出部门文件时
    核对正文所称的个数与所列的名目、收支与结转的说明，并在一批单位之间找出雷同的段落与数字。"""

    text: Annotated[str, Field(min_length=1, max_length=MAX_PASSAGE)] = Field(title="原文")
    page: Annotated[int, Field(ge=1)] | None = Field(None, title="页码")
    line: Annotated[int, Field(ge=1)] | None = Field(None, title="行号（首行）")
    paragraph: Annotated[int, Field(ge=1)] | None = Field(None, title="段落号（Word 文件）")


class Claim(_Model):
    """报告所称的一个数：它是什么（事实、指标的指标值，或一个公式），所称的值，出处。

    所称的值照报告写（99.17%、146%、2,030.12）；核对时按它写出的位数比较（99.17% 比到万分位）。"""

    fact: str | None = Field(None, title="所称的事实（事实目录中的名称，如 actual_spending）")
    figure: str | None = Field(
        None,
        title="所称的表中数据（部门文件中的键路径，如 basic_data.basic_spending.wages_welfare）",
        description="报告正文所称、表格也列出的数：正文与表格核对",
    )
    indicator: str | None = Field(None, title="所称的指标值（评分表的指标 id 或名称，如 预算完成率）")
    formula: Formula | None = Field(None, title="所称的量的公式（如 sangong_actual / sangong_prior_actual - 1）")
    name: str | None = Field(None, title="所称的量的名称（写公式时必填，如 三公经费较上年增长率）")
    value: Annotated[Decimal, BeforeValidator(parse_ratio)] = Field(title="所称的值（百分数写 %）")
    format: Literal["percent", "amount", "number"] | None = Field(
        None, title="显示方式：percent 百分比、amount 金额、number 数值；不写时按所称的事实或指标而定"
    )
    source: Source | None = Field(None, title="出处")

    @model_validator(mode="after")
    def _one_subject(self) -> Claim:
        given = [k for k in ("fact", "figure", "indicator", "formula") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("一条所称须且只须写 fact、figure、indicator、formula 四者之一，说明所称的是什么")
        if self.formula and not self.name:
            raise ValueError("写公式（formula）的所称须有名称（name），如 三公经费较上年增长率")
        return self
