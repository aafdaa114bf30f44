"""The run's settings from the command line and the configuration file (:class:`~perfeval.pipeline.settings.Settings`).

``--config PATH`` names the configuration file, ``--isolated`` (or ``--no-config``) reads none; otherwise it
is looked for upwards from the working directory (:func:`perfeval.fileio.config_file.find_config`).
``--verbose`` says on stderr which file was used. ``--select``/``--ignore`` take codes, repeated or comma
separated, each checked against the catalogue (an unknown one gets the closest codes, exit 2).
``--sample N --by 资金规模|偏差|random --seed S`` asks for a sample (:mod:`perfeval.core.sampling`).
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from perfeval.core.config import code_refusal, combine
from perfeval.core.problems import InputError, Location, Problem
from perfeval.fileio.config_file import LoadedConfig, find_config, load_config
from perfeval.pipeline.settings import Settings

if TYPE_CHECKING:
    from perfeval.core.sampling import SampleRequest


@dataclass(frozen=True, slots=True)
class Options:
    """The options every command that reads department files shares (a command passes what it offers)."""

    rubric: str | Path | None = None
    config: Path | None = None
    isolated: bool = False
    verbose: bool = False
    select: list[str] | None = None
    ignore: list[str] | None = None


def parse_codes(values: Iterable[str] | None, option: str) -> list[str] | None:
    """``--ignore a,b --ignore c`` → ``[a, b, c]``, each a code that may be chosen. Raises :class:`InputError`."""
    if values is None:
        return None
    codes: list[str] = []
    problems: list[Problem] = []
    for value in values:
        for part in value.split(","):
            code = part.strip()
            if not code:
                continue
            why = code_refusal(code)
            if why is not None:
                problems.append(Problem(why[0], why[1], Location(f"{option} {code}")))
            elif code not in codes:
                codes.append(code)
    if not codes and not problems:
        problems.append(
            Problem(
                "empty-value",
                f"{option} 后应写问题代码，如 {option} over-claimed（可重复，或用逗号分隔）",
                Location(option),
            )
        )
    if problems:
        raise InputError(problems)
    return codes


def read_config(options: Options, err: TextIO | None = None) -> LoadedConfig | None:
    """The configuration file that applies, read and validated (None: there is none, or ``--isolated``)."""
    err = err if err is not None else sys.stderr
    if options.isolated and options.config is not None:
        raise InputError(
            [
                Problem(
                    "invalid-value",
                    "--config 与 --isolated（--no-config）不能同时使用：一个指定配置文件，一个不读取配置文件",
                    Location("--config"),
                )
            ]
        )
    if options.isolated:
        if options.verbose:
            print("配置：--isolated，不读取配置文件", file=err)
        return None
    path = options.config
    if path is None:
        path = find_config(Path.cwd())
        if path is None:
            if options.verbose:
                print(
                    f"配置：从 {Path.cwd()} 向上未找到配置文件（perfeval.toml、.perfeval.toml、pyproject.toml 的 [tool.perfeval]），用默认设置",
                    file=err,
                )
            return None
    loaded = load_config(path)
    if options.verbose:
        how = "（--config 指定）" if options.config is not None else ""
        print(f"配置：使用 {loaded.path}{loaded.section}{how}", file=err)
    return loaded


def make_settings(options: Options, err: TextIO | None = None) -> tuple[Settings, LoadedConfig | None]:
    """The run's settings and the configuration file they came from. Raises :class:`InputError` (exit 2)."""
    from perfeval.cli.runner import rubric_option

    problems: list[Problem] = []
    chosen: dict[str, list[str] | None] = {}
    for option, values in (("--select", options.select), ("--ignore", options.ignore)):
        try:
            chosen[option] = parse_codes(values, option)
        except InputError as mistaken:
            problems += mistaken.problems
    if problems:  # every mistaken code at once
        raise InputError(problems)
    select, ignore = chosen["--select"], chosen["--ignore"]
    loaded = read_config(options, err)
    rubric_path, _ = rubric_option(options.rubric)
    config = loaded.config if loaded is not None else None
    settings = Settings(
        rubric=rubric_path,
        default_rubric=loaded.rubric if loaded is not None else None,
        default_rubric_at=loaded.rubric_at if loaded is not None else None,
        tolerance=config.tolerance if config is not None else None,
        deviation_threshold=config.deviation_threshold if config is not None else None,
        selection=combine(config, select, ignore),
        config_file=loaded.path if loaded is not None else None,
    )
    return settings, loaded


def output_format(given: str | None, loaded: LoadedConfig | None, fallback: str = "text") -> str:
    """``--format``, else the configuration's ``format``, else ``fallback``."""
    if given is not None:
        return given
    if loaded is not None and loaded.config.format is not None:
        return loaded.config.format
    return fallback


def sample_request(size: int | None, by: str | None, seed: int | None) -> SampleRequest | None:
    """``--sample N --by … --seed S`` → the request, or None without ``--sample``. Raises :class:`InputError`."""
    from perfeval.core.sampling import BY_NAMES, RANDOM, SIZE, SampleRequest  # only with --sample

    if size is None:
        if by is not None or seed is not None:
            option = "--by" if by is not None else "--seed"
            raise InputError(
                [
                    Problem(
                        "invalid-value",
                        f"{option} 只与 --sample N 一起使用，如 --sample 10 --by 资金规模",
                        Location(option),
                    )
                ]
            )
        return None
    criterion = BY_NAMES[by] if by is not None else SIZE
    if seed is not None and criterion != RANDOM:
        raise InputError(
            [
                Problem(
                    "invalid-value",
                    f"--seed 只用于随机抽样（--by random）；按{'资金规模' if criterion == SIZE else '偏差'}抽样不需要种子",
                    Location("--seed"),
                )
            ]
        )
    if criterion == RANDOM and seed is None:
        seed = secrets.randbelow(1_000_000)  # shown with the sample, so that it can be given again
    return SampleRequest(size, criterion, seed)
