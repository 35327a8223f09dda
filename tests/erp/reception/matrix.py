"""The reception rows of the permission matrix (docs/permissions/reception.md): the fixture objects
their paths name and the bodies of the rows that write."""

PREPARE = {}


def bodies(world) -> dict:
    return {}
