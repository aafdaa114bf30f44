"""The catalogue of problem codes (问题代码): every code perfeval can report, with its Chinese title.

A :class:`~perfeval.core.problems.Problem` refuses a code that is not listed here, so the catalogue
is complete by construction; ``tests/test_codes.py`` checks that every code is used somewhere in the
code base and named by at least one test. Codes are stable kebab-case strings: scripts filter on them
(``--format json``), so a code is never renamed, only added.

Three families, by what they are about:

* **input** — a file cannot be read, parsed or validated (exit code 2 for ``score``/``check``);
* **rubric** — a rubric file is unsound (``validate`` exit 1; every other command refuses it, exit 2);
* **audit** — what ``check`` finds in a department's figures and self-assessment (errors give exit 1).

Only the codes of findings in a file that was read — the families rubric, department, review and audit — can be
selected, ignored, accepted or given another level (:data:`SELECTABLE_FAMILIES`): a file that cannot be
read, a rubric or review that cannot be used, or an output that cannot be written, is never made to look fine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeInfo:
    title: str  # 中文标题
    family: str  # "input" | "rubric" | "department" | "review" | "audit" | "output"


def _family(family: str, **titles: str) -> dict[str, CodeInfo]:
    return {code.replace("_", "-"): CodeInfo(title, family) for code, title in titles.items()}


CODES: dict[str, CodeInfo] = {
    # --- reading a file ---------------------------------------------------------------------------
    **_family(
        "input",
        not_found="文件不存在",
        unreadable="文件无法读取",
        is_directory="给出的是文件夹",
        no_department_files="文件夹中没有部门文件",
        no_match="通配符没有匹配到文件",
        not_a_file="不是普通文件（管道、套接字、设备）",
        too_large="文件过大",
        binary_file="不是文本文件",
        encoding="文件编码无法识别",
        control_character="含有不可见的控制字符",
        empty_file="文件是空的",
        yaml_syntax="YAML 语法错误",
        yaml_tag="不支持的 YAML 标签",
        complex_key="键不是简单文字",
        merge_key="不支持合并键",
        duplicate_key="重复的键",
        leading_zero="以 0 开头的数，含义不明",
        not_finite="NaN 或无穷大",
        number_out_of_range="数值大得（或小得）不合常理",
        too_deep="嵌套过深",
        too_many_nodes="值的个数过多",
        not_a_mapping="顶层不是键值结构",
        unknown_format="看不出是评分表还是部门文件",
        wrong_kind_of_file="文件种类不对（如把部门文件当作评分表）",
        several_documents="一个文件中有多份 YAML 文档",
        invalid_character="含有无效的字符（不成对的代理字符）",
        stdin_unsupported="不从标准输入读取",
        unsupported_format="perfeval 不读取这种文件（.xlsb、.xls、.ods、CSV …）",
        # pydantic's refusals, in a fixed set of codes
        unknown_key="未知的键",
        missing_field="缺少必填项",
        wrong_type="值的类型不对",
        not_a_number="不是数值",
        out_of_bounds="数值超出允许范围",
        not_an_option="不是可选值之一",
        bad_format="格式不对",
        empty_value="值为空",
        invalid_value="值不合要求",
        # workbooks
        not_a_workbook="不是 .xlsx 工作簿",
        workbook_too_large="工作簿解压后过大（压缩炸弹）",
        workbook_xml_dtd="工作簿的 XML 含有 DTD（实体炸弹、外部实体）",
        workbook_xml_malformed="工作簿的 XML 已损坏",
        sheet_too_large="工作表的单元格过多",
        hidden_sheet="工作表被隐藏",
        not_a_department_workbook="不是部门填报工作簿",
        cell_not_a_number="单元格不是数值",
        basic_data_header="基础数据表的表头认不出",
        basic_data_extra_row="基础数据表有多余的行",
        scores_header="评分表的表头认不出",
        scores_no_ids="评分表没有指标标识，也认不出指标名称",
        scores_row_unknown="评分表中有评分表文件里没有的指标",
        scores_row_without_id="评分表的行缺少指标标识",
        scores_row_shifted="评分表的行与隐藏的标识错位",
        scores_duplicate_row="评分表中同一指标出现两次",
        scores_partial_review="审核得分只填了一部分",
        rows_no_node="部门特性指标：行没有填写所属的评分表指标",
        other_row_no_path="其他内容：有值的行没有键路径",
        other_row_bad_path="其他内容：键路径写法不对",
        other_row_bad_kind="其他内容：值类型不对",
        other_row_bad_value="其他内容：值与值类型不符",
        other_row_blank="其他内容：数值行的值是空的",
        other_row_conflict="其他内容：这个值已填写过或位置不存在",
        unknown_fact_row="指标数据表中有未知的事实",
        duplicate_fact="同一事实填写了两次",
        # the configuration file (perfeval.toml, [tool.perfeval]) and the code options
        toml_syntax="TOML 语法错误",
        unknown_code="不是 perfeval 的问题代码",
        code_not_selectable="这类问题不能忽略、接受或改级别（文件无法读取、输出失败）",
        # reading a report (perfeval extract)
        report_unreadable="报告文件无法读取（已损坏、加密或不是所称的格式）",
        report_too_large="报告文件过大（或解压后过大）",
        report_no_text="报告中没有可提取的文字（扫描件或图片）",
        extract_library_missing="缺少读取这种报告所需的库",
        extract_no_unit="报告中认不出单位名称",
        extract_no_year="报告中认不出评价年度",
    ),
    # --- a rubric that is not sound ----------------------------------------------------------------
    **_family(
        "rubric",
        rubric_not_found="评分表文件不存在（或不是自带评分表的标识）",
        rubric_invalid="评分表无法使用",
        unknown_fact="用到未声明的事实",
        bad_fact_name="事实名称不能用于公式",
        fact_shadows_catalogue="事实与内置目录重名",
        total_weight_mismatch="评分表总分与一级指标分值之和不符",
        weight_mismatch="上级指标分值与下级之和不符",
        choice_weight="备选指标分值与其组不同",
        duplicate_id="指标标识重复",
        duplicate_item="评分要点或要素标识重复",
        missing_text="缺少指标原文",
        checklist_sum="评分要点分值之和与指标分值不符",
        elements_sum="要素分值之和与指标分值不符",
        band_points="分档得分超过指标分值",
        band_edges="分档区间有重叠、空档或未覆盖",
        deduction_floor="扣分的最低得分超过指标分值",
        value_without_measure="满分条件用了 value 却没有 measure",
        formula_without_value="公式需要 value",
        penalty_points="总分扣分超过总分",
        rows_of="扣分所指的节点不是部门特性指标",
        cap_max="封顶分数超过总分",
        cap_edges="封顶区间有重叠、空档或未覆盖",
        grade_range="等级区间超出总分",
        grade_edges="等级区间有重叠、空档或未覆盖",
        children_incomplete="本表只列出部分下级指标，按表列分值保留",
        incomplete_but_complete="标为只列出部分下级指标，但下级分值之和已等于分值",
        qualitative_ranges="定性指标区间超出 [0, 100%]、重叠或有空档",
    ),
    # --- a department file against its rubric -----------------------------------------------------
    **_family(
        "department",
        unknown_indicator="评分表中没有这个指标",
        ambiguous_name="指标名称对应评分表中的多个指标",
        same_indicator_twice="同一指标写了两次（按 id 和按名称）",
        unknown_item="没有这个评分要点",
        unknown_subtotal="小计不是按上级指标填写",
        items_not_checklist="指标没有评分要点",
        derived_fact="由基础数据表计算的事实不能直接填写",
        fact_unit="事实的写法与其单位不符（比率写成大于 1 的数、人数带 % 或有小数）",
        unknown_key_path="键路径在部门文件中不存在（出处、报告所称的数）",
        present_not_elements="指标不是要素计分",
        unknown_element="没有这个要素",
        unknown_choice_group="不是二者择其一的指标组",
        unknown_choice="所选指标不在备选之列",
        not_optional="指标不是可选项",
        unknown_row_node="不是部门特性指标节点",
        duplicate_row_id="部门特性指标的标识重复",
        missing_score="缺少自评得分",
        missing_item_score="缺少评分要点得分",
        missing_present="未列出具备的要素",
        missing_choice="未说明二者择其一选用哪一项",
        score_not_chosen="未选用的指标填了得分",
        missing_rows="部门特性指标没有填写",
        too_few_rows="部门特性指标行数不足",
        rows_weight="部门特性指标分值之和与节点分值不符",
        zero_target="年度指标值为 0",
        score_out_of_range="得分超出分值范围",
        reviewed_out_of_range="审核得分超出分值范围",
        unused_acceptance="已接受的问题本次审核没有出现",
    ),
    # --- the reviewer's 复核 -------------------------------------------------------------------------
    **_family(
        "review",
        not_a_review="不是复核文件",
        review_unreadable="复核文件无法使用",
        review_ambiguous="同一单位同一年度有多个复核文件",
        review_mismatch="复核文件的单位或年度与部门文件不同",
        review_conflict="审核得分与复核得分写了两处",
        review_out_of_range="复核得分超出分值",
        review_basis_contradicted="复核得分与所引复核口径不符",
        review_basis_needs_self_score="复核口径按自评得分扣分，而没有自评得分",
        review_duplicate_unsound="重复指标所指的另一指标不成立",
        review_reason_missing="复核得分与自评不同而未写原因",
        review_deviation="自评与复核的偏离度超过阈值",
        review_unmatched="复核文件没有对应的部门文件",
    ),
    # --- the audit ---------------------------------------------------------------------------------
    **_family(
        "audit",
        over_claimed="高报",
        under_claimed="低报",
        unverifiable="无法核验",
        not_self_scored="未自评",
        items_sum_mismatch="评分要点之和与指标得分不符",
        items_incomplete="评分要点未填全",
        total_mismatch="自评总分与各指标之和不符",
        total_missing="未填自评总分",
        total_unverifiable="自评总分无法核对",
        subtotal_mismatch="小计与下级之和不符",
        subtotal_unverifiable="小计无法核对",
        sum_mismatch="基础数据表的小计与各项之和不符",
        subtotal_blank="小计为空而各项已填",
        sum_partial="有未填的分项，小计只能部分核对",
        rounding_difference="差额在四舍五入容差之内",
        income_spending_gap="收支差额可由预算调整解释",
        income_spending_mismatch="收入与支出加结余不符",
        income_spending_unverifiable="收支差额可能在未填的栏目中，无法判断",
        function_spending_mismatch="按功能科目的支出与实际支出不符",
        sangong_spending_mismatch="三公经费支出栏与三公经费实际支出不符",
        adjustments_mismatch="预算调整与调整后预算不符",
        deviation_reason_missing="偏离指标未说明偏差原因",
        staff_basis_ambiguous="编制数计哪些类别未定",
        staff_mismatch="人数与其各项不符",
        carryover_placement="上年结转是否含在收入中不明",
        claim_contradicted="报告所称与数据不符",
        claim_rounding="报告所称与数据相差在末位四舍五入之内",
        claim_unverifiable="报告所称无法用数据核对",
        execution_reason_missing="执行率低于阈值未说明原因",
        # the narrative (报告正文) against itself and against other units' reports
        count_list_mismatch="正文所称的个数与所列的名目不符",
        rate_from_zero_base="从零起的增长率（上年为 0）",
        spending_without_carryover="支出多于收入而正文未说明结转结余",
        shared_passage="与本批其他单位报告逐字相同的段落",
        other_unit_name="正文出现本批其他单位的名称",
        shared_figure="与本批其他单位报告相同的数字",
    ),
    # --- writing outputs ---------------------------------------------------------------------------
    **_family(
        "output",
        output_exists="输出文件已存在",
        output_is_input="输出文件就是输入文件",
        output_is_directory="输出路径是文件夹",
        output_dir_missing="输出目录不存在且无法建立",
        output_format="输出文件的扩展名不对",
        unwritable_text="文字无法写入工作簿",
        text_too_long="文字超过单元格上限 32,767 个字符",
        output_not_a_file="输出路径不是普通文件",
        output_unwritable="输出位置不可写",
        disk_full="磁盘已满",
        output_failed="输出无法写入",
        no_readable_input="没有可审核的部门文件",
        internal_error="perfeval 内部错误（程序缺陷，不是文件的问题）",
    ),
}


SELECTABLE_FAMILIES = frozenset({"rubric", "department", "review", "audit"})
_NOT_SELECTABLE = frozenset(  # a rubric or a review that cannot be used at all
    {
        "rubric-not-found",
        "rubric-invalid",
        "not-a-review",
        "review-unreadable",
        "review-ambiguous",
        "review-mismatch",
        "review-unmatched",
    }
)


def title(code: str) -> str:
    return CODES[code].title


def selectable(code: str) -> bool:
    """Whether ``--select``/``--ignore``, ``accepted:`` and ``[severity]`` may name ``code``."""
    info = CODES.get(code)
    return info is not None and info.family in SELECTABLE_FAMILIES and code not in _NOT_SELECTABLE
