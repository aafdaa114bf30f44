"""The narrative's figures, placed by what the words around them say — the vocabulary of 部门整体支出
绩效 reports (收入 · 年初预算 · 追加 · 支出 by 功能科目 and by 经济分类 · 基本/项目支出 and their “其中”
parts · 结转结余 · 三公 budget, spending and parts, this year and the year before · 编制 · 在职 · 离退休 ·
counts of 重点 tasks · the rubric's own rates), not the phrases of one report. (What each amount is of is
:mod:`~perfeval.fileio.extract.vocabulary`'s; this module decides where it goes.)

A figure the tables already give becomes a **claim** on that figure (``check`` compares them at the
precision printed); a figure no table gives becomes the **data**, with its sentence as the source; a
change (“下降 42.86%”) becomes a claim over the amounts it comes from; everything else is **listed as
unplaced**, never guessed into a field. Amounts in 元 or 亿元 are converted exactly to the file's unit.

Why this module is long: amounts, changes, rates, staff and counts are placed by one reader that keeps
what a sentence has said so far (the subjects before a figure, the 其中 total it belongs to) and what the
tables already gave; each placement is a short method.
"""

from __future__ import annotations

import re
from decimal import Decimal

from perfeval.core.evidence import Source
from perfeval.core.report_sentences import Item, change_base, sentence_items
from perfeval.core.report_text import compact, sentences
from perfeval.core.rubric import Rubric
from perfeval.fileio.extract.document import Document, Paragraph
from perfeval.fileio.extract.result import Extraction, Unplaced
from perfeval.fileio.extract.vocabulary import PART_LABELS, SANGONG_FACT_COLUMNS, Subject, subject_of

_BOUNDS = ("≤", "≥", "<", ">", "＜", "＞")  # before a number: a standard or a range, not a figure stated
_KEY_DONE = re.compile(r"全面完成|全部完成|均已完成|圆满完成|如期完成|全部办结|均已办结|全部落实|百分之百完成")


class NarrativeReader:
    def __init__(self, doc: Document, rubric: Rubric, out: Extraction, year: int | None, amount_unit: str) -> None:
        self.doc = doc
        self.rubric = rubric
        self.out = out
        self.year = year
        self.yuan = amount_unit == "元"
        self.from_tables = set(out.sources)  # key paths the tables gave
        self.indicators = sorted(
            ((compact(n.name).strip('“”"'), n.id) for n, _ in rubric.walk() if n.is_leaf),
            key=lambda pair: -len(pair[0]),
        )

    # --- helpers ----------------------------------------------------------------------------------

    def amount(self, item: Item) -> Decimal | None:
        wan = item.figure.in_wan()
        if wan is None:
            return None
        return wan * 10000 if self.yuan else wan

    def state(self, path: str, value: object, src: Source) -> None:
        """A figure the narrative states for the field at ``path``: the data when nothing gave it yet,
        else a claim on it (so that ``check`` compares the two)."""
        existing = self.out.get(path)
        if existing is None:
            self.out.put(path, value, src)
            return
        if path not in self.from_tables and existing == value:
            return  # the narrative says it twice
        self.out.claim(src, value, figure=path)

    def unplaced(self, item: Item, where: str, sentence: str, why: str = "未能归入部门文件的任何栏目") -> None:
        self.out.unplaced.append(Unplaced(item.figure.text, where, sentence[:160], why))

    # --- reading ----------------------------------------------------------------------------------

    def read(self) -> None:
        for para in self.doc.paragraphs():
            spans = sentences(para.text)
            # a sentence that opens with 其中 lists the parts of the sentence before it: read them together
            merged: list[tuple[int, int]] = []
            for start, end in spans:
                if merged and para.text[start:end].lstrip().startswith(("其中", "包括")):
                    merged[-1] = (merged[-1][0], end)
                else:
                    merged.append((start, end))
            for start, end in merged:
                sentence = para.text[start:end]
                lead = len(sentence) - len(sentence.lstrip())
                if sentence.strip():
                    self.sentence(para, start + lead, sentence.strip())

    def sentence(self, para: Paragraph, offset: int, text: str) -> None:
        items = sentence_items(text)
        if not items:
            return
        subjects: list[Subject | None] = []
        for k, item in enumerate(items):
            where = para.where(offset + item.figure.start)
            src = self.out.source(where, text=text)
            label = where.label()
            if item.figure.approx:
                subjects.append(None)
                self.unplaced(item, label, text, f"约数（{item.figure.approx}），不作为数据")
                continue
            if item.figure.bound or text[max(0, item.figure.start - 1) : item.figure.start] in _BOUNDS:
                subjects.append(None)
                self.unplaced(item, label, text, "是标准或区间（≤、≥），不是所称的数")
                continue
            if item.figure.note:
                self.out.notes.append(f"{label}：{item.figure.note}")
            subject = self.place(items, k, subjects, src, text, label)
            subjects.append(subject)

    def place(
        self, items: list[Item], k: int, subjects: list[Subject | None], src: Source, text: str, where: str
    ) -> Subject | None:
        item = items[k]
        fig = item.figure
        if fig.is_percent:
            self.percent(items, k, subjects, src, text, where)
            return None
        if fig.is_amount:
            return self.amount_figure(items, k, subjects, src, text, where)
        if fig.unit in ("名", "人"):
            self.staff(item, src, text, where)
            return None
        if fig.unit in ("项", "个", "件"):
            self.count(items, k, src, text, where)
            return None
        self.unplaced(item, where, text)
        return None

    # --- amounts ----------------------------------------------------------------------------------

    def amount_figure(
        self, items: list[Item], k: int, subjects: list[Subject | None], src: Source, text: str, where: str
    ) -> Subject | None:
        item = items[k]
        value = self.amount(item)
        assert value is not None
        if item.change() is not None:
            self.change(items, k, subjects, src, text, where)
            return None
        subject = subject_of(items, k, subjects, text, self.year)
        if subject is None:
            self.unplaced(item, where, text)
            return None
        kind = subject.kind
        if kind == "included":
            self.included(items, k, subjects, value, text, where)
            return subject
        if kind == "sangong":
            if subject.part == "combined":
                self.unplaced(item, where, text, "公务用车购置与运行维护合为一数，部门文件分列两项，未拆分")
                return subject
            if subject.column is None:
                self.unplaced(item, where, text, "看不出是“三公”经费的预算数还是支出数")
                return subject
            column = ("prior_year_" if subject.prior else "") + subject.column
            self.state(f"sangong.{column}.{subject.part or 'total'}", value, src)
        elif kind == "function":
            self.function_line(item, subject, value, src, items, subjects, where, text)
        elif kind == "economic":
            self.economic(item, subject, value, src, text, where)
        elif kind == "basic":
            path = (
                "basic_data.initial_budget.basic" if subject.column == "budget" else "basic_data.basic_spending.total"
            )
            self.state(path, value, src)
        elif kind == "project":
            if subject.column == "budget":
                self.state("basic_data.initial_budget.project", value, src)
            elif self.out.count("basic_data.projects") == 0:
                self.state("basic_data.projects[0].total", value, src)
            else:
                self.out.claim(src, value, fact="project_spending", format="amount")
        elif kind == "increase":
            self.adjustment("追加", subject, value, src)
        elif kind == "decrease":
            self.adjustment("追减", subject, value, src)
        elif kind == "prior_balance":
            self.state("basic_data.income.prior_year_balance", value, src)
            if item.parent is not None:
                parent_subject = subjects[item.parent]
                if parent_subject is not None and parent_subject.kind == "income":
                    self.state("basic_data.income.carryover_included", True, src)
        elif kind == "balance":
            self.state("basic_data.balance.total", value, src)
        elif kind == "initial":
            self.state("basic_data.initial_budget.total", value, src)
        elif kind == "final":
            self.state("budget.final", value, src)
        elif kind == "income":
            if subject.part == "total" and self._is_full_budget(items, k, text):
                subject = Subject("final", label=subject.label)
                self.state("budget.final", value, src)
            else:
                self.state(f"basic_data.income.{subject.part}", value, src)
        elif kind == "fiscal_line":
            n = self.out.count("basic_data.income.fiscal_lines")
            self.out.put(f"basic_data.income.fiscal_lines[{n}]", {"name": subject.label, "amount": value}, None)
            self.out.sources[f"basic_data.income.fiscal_lines[{n}].amount"] = src
        elif kind == "fact":
            self.state(f"facts.{subject.part}", value, src)
        elif kind == "spending":
            split = self.out.get("basic_data.basic_spending.total") is not None or self.out.count("basic_data.projects")
            if split:
                self.out.claim(src, value, fact="actual_spending", format="amount")
            else:
                self.state("basic_data.spending.total", value, src)
        return subject

    def included(
        self, items: list[Item], k: int, subjects: list[Subject | None], value: Decimal, text: str, where: str
    ) -> None:
        """“（含奖励资金180万元）”: a part of the amount before it, kept as that line's note when it is a
        line of its own, else listed."""
        before = subjects[k - 1] if k > 0 and k - 1 < len(subjects) else None
        n = self.out.count("basic_data.income.fiscal_lines")
        if before is not None and before.kind == "fiscal_line" and n:
            said = f"{items[k].label}{items[k].figure.text}"
            self.out.put(f"basic_data.income.fiscal_lines[{n - 1}].note", said, None)
            return
        self.unplaced(items[k], where, text, "括号中所含的一部分，部门文件没有单列它的栏目")

    def economic(self, item: Item, subject: Subject, value: Decimal, src: Source, text: str, where: str) -> None:
        """An economic class (工资福利支出 …): a part of the 基本支出, 项目支出 or 支出 it is listed under."""
        parent = subject.column  # the kind of the amount it is a “其中” part of
        split = self.out.get("basic_data.basic_spending.total") is not None
        if parent is None and "基本支出" in text:
            parent = "basic"
        if parent == "project":
            if self.out.count("basic_data.projects") == 1:
                self.state(f"basic_data.projects[0].{subject.part}", value, src)
            else:
                self.unplaced(item, where, text, "项目支出的经济分类，而项目不止一个或没有，看不出属于哪个项目")
        elif parent == "basic":
            self.state(f"basic_data.basic_spending.{subject.part}", value, src)
        elif split:
            self.unplaced(item, where, text, "基础数据表分列基本支出与项目支出，看不出这是哪一部分的经济分类")
        else:
            self.state(f"basic_data.spending.{subject.part}", value, src)

    def _is_full_budget(self, items: list[Item], k: int, text: str) -> bool:
        """收入 X，其中年初预算 …、年中追加 …: X is the year's full budget (全年预算), not the table's 收入."""
        parts = [it for it in items if it.parent == k]
        if any(re.search(r"追加|追减|年初", it.label) for it in parts):
            return True
        tail = text[items[k].figure.end :]
        return re.match(r"^[，,]?其中[：:]?[^。]*?(?:年初|追加)", tail) is not None

    def adjustment(self, kind: str, subject: Subject, value: Decimal, src: Source) -> None:
        existing = self.out.get("budget.adjustments") or []
        for j, a in enumerate(existing):
            if a.get("kind") == kind:
                if a.get("amount") != value:
                    self.out.claim(src, value, figure=f"budget.adjustments[{j}].amount")
                return
        n = len(existing)
        self.out.put(f"budget.adjustments[{n}]", {"kind": kind, "amount": value, "note": subject.label}, None)
        self.out.sources[f"budget.adjustments[{n}].amount"] = src

    def function_line(
        self,
        item: Item,
        subject: Subject,
        value: Decimal,
        src: Source,
        items: list[Item],
        subjects: list[Subject | None],
        where: str,
        text: str,
    ) -> None:
        code, name = subject.column or "", (subject.part or "").strip()
        rows = self.out.get("spending_by_function") or []
        for row in rows:
            if row["code"] == code and row["amount"] == value:
                break
        else:
            if any(row["code"] == code for row in rows):
                self.unplaced(item, where, text, f"功能科目 {code} 已按另一金额列出，未重复列入")
            else:
                n = len(rows)
                self.out.put(f"spending_by_function[{n}]", {"code": code, "name": name, "amount": value}, None)
                self.out.sources[f"spending_by_function[{n}].amount"] = src
        parent = subjects[item.parent] if item.parent is not None else None
        if parent is not None and parent.kind == "project":
            projects = self.out.get("basic_data.projects") or []
            if len(projects) == 1 and not projects[0].get("name") and projects[0].get("total") == value:
                self.out.put("basic_data.projects[0].name", name, src)
                self.out.notes.append(
                    f"项目名称“{name}”取自正文（{where}）：基础数据表的项目名称栏为空，正文所列唯一项目与其金额相同"
                )

    # --- rates and changes ------------------------------------------------------------------------

    def percent(
        self, items: list[Item], k: int, subjects: list[Subject | None], src: Source, text: str, where: str
    ) -> None:
        item = items[k]
        if item.change() is not None:
            self.change(items, k, subjects, src, text, where)
            return
        label = compact(item.subject).strip('“”"')
        for name, node_id in self.indicators:
            if name and label.endswith(name):
                self.out.claim(src, f"{item.figure.value}%", indicator=node_id)
                return
        if "满意度" in label and item.figure.unit == "%":
            self.state("facts.satisfaction", f"{item.figure.value}%", src)
            return
        self.unplaced(item, where, text)

    def change(
        self, items: list[Item], k: int, subjects: list[Subject | None], src: Source, text: str, where: str
    ) -> None:
        item = items[k]
        sign = item.change() or 1
        current, prior = change_base(items, k, self.year)
        subject = subjects[current] if current is not None and current < len(subjects) else None
        if subject is None and prior is not None and prior < len(subjects):
            subject = subjects[prior]
        named = subject.label if subject is not None else items[current].subject if current is not None else ""
        name = named or "所称的量"
        stated = item.figure.value * sign
        percent = item.figure.is_percent
        if (
            subject is not None
            and subject.kind == "sangong"
            and subject.column is not None
            and subject.part != "combined"
        ):
            this = SANGONG_FACT_COLUMNS[subject.column]
            before = SANGONG_FACT_COLUMNS["prior_year_" + subject.column]
            suffix = f"_{subject.part}" if subject.part else ""
            a, b = f"sangong_{this}{suffix}", f"sangong_{before}{suffix}"
            formula = f"{a} / {b} - 1" if percent else f"{a} - {b}"
            label = f"{PART_LABELS[subject.part]}较上年{'变动率' if percent else '变动额'}"
            self.out.claim(
                src,
                f"{stated}%" if percent else stated,
                name=label,
                formula=formula,
                format=None if percent else "amount",
            )
            return
        if current is not None and prior is not None:
            a_value, b_value = self.amount(items[current]), self.amount(items[prior])
            if a_value is not None and b_value is not None and b_value != 0:
                formula = f"{a_value} / {b_value} - 1" if percent else f"{a_value} - {b_value}"
                self.out.claim(
                    src,
                    f"{stated}%" if percent else stated,
                    name=f"{_short(name)}较上年{'变动率' if percent else '变动额'}（按正文所列金额）",
                    formula=formula,
                    format=None if percent else "amount",
                )
                return
            if b_value == 0:
                self.unplaced(item, where, text, "上年为 0，从零起的变动率无从计算（check 报出）")
                return
        self.unplaced(item, where, text, "正文没有给出它所比较的两个数，无法核对")

    # --- staff and counts -------------------------------------------------------------------------

    def staff(self, item: Item, src: Source, text: str, where: str) -> None:
        s = compact(item.subject)
        count = item.figure.value
        if count != count.to_integral_value():
            self.unplaced(item, where, text, "人数不是整数")
            return
        n = int(count)
        if "编制" in s or re.search(r"工勤(?:人员|岗位)?$", s):
            category = (
                "logistics"
                if "工勤" in s
                else "administrative"
                if "行政编制" in s or "公务员编制" in s
                else "institutional"
                if "事业编制" in s or "参公" in s or "参照公务员" in s
                else "other"
            )
            lines = self.out.get("staff.authorized") or []
            k = len(lines)
            self.out.put(f"staff.authorized[{k}]", {"category": category, "count": n, "note": s}, None)
            self.out.sources[f"staff.authorized[{k}].count"] = src
            return
        if re.search(r"离退休|退休", s):
            self.state("staff.retired", n, src)
        elif re.search(r"在职|在岗|实有|现有人员|实际人数", s):
            self.state("staff.in_post", n, src)
        elif re.search(r"^(?:人员)?(?:合计|共计|总计|共有人员|总人数)", compact(item.label)) and not s.strip("人员"):
            self.state("staff.total", n, src)
        else:
            self.unplaced(item, where, text)

    def count(self, items: list[Item], k: int, src: Source, text: str, where: str) -> None:
        item = items[k]
        noun = compact(item.label + item.after)
        value = item.figure.value
        if "重点" in noun and re.search(r"任务|工作|实事|项目|事项", noun) and value == value.to_integral_value():
            self.state("facts.key_tasks_assigned", value, src)
            if _KEY_DONE.search(item.after) or _KEY_DONE.search(text[item.figure.end :]):
                self.out.claim(src, "100%", name="重点工作完成率", formula="key_tasks_completed / key_tasks_assigned")
            return
        self.unplaced(item, where, text)


def _short(label: str) -> str:
    return re.sub(r"^(?:\d{4}年度?|本年|当年)", "", label) or label


def read_narrative(doc: Document, rubric: Rubric, out: Extraction, year: int | None, amount_unit: str) -> None:
    NarrativeReader(doc, rubric, out, year, amount_unit).read()
