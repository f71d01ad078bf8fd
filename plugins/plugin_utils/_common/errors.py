# Copyright: (c) 2026, ctxlic maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal use only: this module is private to ctxlic.license_server and may change at any time.
"""Errors raised by the collection's controller-side code.

Every error a user can cause carries a message that names the input, what is wrong with it
and what to do; action plugins turn these into ``failed: true`` results, never tracebacks.
"""

from __future__ import annotations


class CtxlicError(Exception):
    """Base class for every error this collection raises on purpose."""


class InputError(CtxlicError):
    """The user gave the collection something it cannot use (bad option, bad file)."""


class HostError(CtxlicError):
    """The target host did not do what was asked (command failed, file missing, service stuck)."""
