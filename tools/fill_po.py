"""Fill msgstr in a .po file from a JSON table of msgid -> translation, adding missing msgids.

Used by maintainers when strings change: `env/bin/python tools/fill_po.py PO TABLE.json`.
"""

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, table_path: str) -> None:
    with open(po_path, "rb") as f:
        catalog = read_po(f)
    with open(table_path, encoding="utf-8") as f:
        table = json.load(f)
    for msgid, msgstr in table.items():
        message = catalog.get(msgid)
        if message is None:
            catalog.add(msgid, msgstr)
        else:
            message.string = (msgstr,) * catalog.num_plurals if message.pluralizable else msgstr
            message.flags.discard("fuzzy")
    with open(po_path, "wb") as f:
        write_po(f, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    main(*sys.argv[1:3])
