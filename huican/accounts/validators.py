"""Password policy: besides length and common-password checks, mix character classes.

A passphrase — at least four words separated by spaces — need not mix classes (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Require at least three of: lower case, upper case, digits, other characters."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_passphrase(password):
            return
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                "密码须包含小写字母、大写字母、数字、符号中的至少三类。", code="password_classes"
            )

    def get_help_text(self) -> str:
        return (
            "密码须包含小写字母、大写字母、数字、符号中的至少三类（由至少四个词组成、以空格分隔的短语除外）。"
        )


def is_passphrase(password: str) -> bool:
    """At least four words of two or more characters, separated by white space."""
    words = password.split()
    return len(words) >= 4 and all(len(word) >= 2 for word in words) and len(set(words)) >= 4
