"""Extract the report's messages and write the German catalog (see the package docstring)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from pipeline.report.locale.de_messages import DE

REPORT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "n_": (1, 2), "ngettext": (1, 2)}
METHODS = [("**/templates/**.j2", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
                                  "lstrip_blocks": "True"}}


def messages() -> list[str | tuple[str, str]]:
    """Every message of the report's code and templates, in order of appearance."""
    seen: dict[str | tuple[str, str], None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            REPORT, METHODS, OPTIONS, KEYWORDS):
        key = message if isinstance(message, str) else (message[0], message[1])
        seen.setdefault(key, None)
    return list(seen)


def catalog() -> Catalog:
    missing = [m for m in messages() if m not in DE]
    if missing:
        raise SystemExit("no German translation for:\n" + "\n".join(map(repr, missing)))
    cat = Catalog(locale="de", project="stimmung report", fuzzy=False)
    for message in messages():
        cat.add(message, DE[message])
    return cat


def main() -> int:
    out = REPORT / "locale" / "de" / "LC_MESSAGES" / "messages.po"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        write_po(fh, catalog(), omit_header=False, width=100)
    sys.stdout.write(f"wrote {out} ({len(messages())} messages)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
