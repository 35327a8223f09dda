"""The line patterns of weighing indicators: the common one and a device's own (checked
when a device is saved and used by ``serial_reader``)."""

import re

from django.utils.translation import gettext as _

# The common format of weighing indicators' continuous output (many brands print it, with
# or without the second comma and the spaces): stability, mode, sign, weight, unit.
#   ST = stable, US = unstable (in motion), OL = overload (no number, or dashes);
#   GS = gross, NT = net, TR = tare; a point or a comma before the decimals.
DEFAULT_PATTERN = re.compile(
    r"""
    ^(?P<stability>ST|US|OL) \s*,\s*
    (?P<mode>GS|NT|TR) \s*,?\s*
    (?P<sign>[+-])? \s*
    (?P<weight>\d+(?:[.,]\d+)?)? [\s-]*
    (?P<unit>kg|g|lbs?|t)? \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)


def line_pattern(text: str | None) -> re.Pattern:
    """A device's own line pattern (blank: the default), with the group names of
    DEFAULT_PATTERN; only ``weight`` is needed (without ``stability`` every line is stable,
    without ``mode`` net, without ``unit`` in kg). ValueError with a message otherwise."""
    if not text or not text.strip():
        return DEFAULT_PATTERN
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error as error:
        raise ValueError(
            _("The line pattern is not a valid regular expression: %(error)s.") % {"error": error}
        ) from None
    if "weight" not in pattern.groupindex:
        raise ValueError(_("The line pattern needs a group named weight, e.g. (?P<weight>[0-9.,]+)."))
    return pattern
