"""`.env.example` documents every environment variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r'env(?:\.(?:bool|int|list|db|path))?\(\s*"([A-Z_][A-Z0-9_]*)"')


def test_every_setting_read_from_the_environment_is_documented():
    read = set(READ.findall((ROOT / "triboka" / "settings.py").read_text()))
    documented = set(re.findall(r"(?:^|[\s:])([A-Z_][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "the pattern no longer finds the settings' variables"
    assert not read - documented, f"document these in .env.example: {sorted(read - documented)}"
