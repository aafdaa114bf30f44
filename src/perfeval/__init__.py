"""perfeval — score and audit 部门整体支出绩效评价 (department-wide expenditure performance evaluations)."""

__version__ = "0.2.0"
