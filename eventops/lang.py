"""`--lang`: the language of the station and the dashboard (else the system locale, else English)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from checkin.i18n import LANGUAGES, language_from_environment, set_language

F = TypeVar("F", bound=Callable[..., Any])


def _choose(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Set the process's language as the options are read (before any screen is built)."""
    set_language(value or language_from_environment())


def lang_option(func: F) -> F:
    """`--lang en|fr|nl|de`: what volunteers read; an unknown one is refused like any wrong option."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES, case_sensitive=False),
        default=None,
        expose_value=False,
        callback=_choose,
        help="Language of the screens: en, fr, nl or de (default: the system locale, else English).",
    )(func)
