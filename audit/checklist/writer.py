"""A stored checklist version written back as a checklist file: the file to edit for the next
version when the original is not at hand (loaded on the web page by someone else, say).

The file holds the canonical content (every default written out, comments gone), so loading it
unchanged is recognised as the same version."""
from __future__ import annotations

import io

from ruamel.yaml import YAML

from .model import Checklist, checklist_to_dict


def checklist_yaml(checklist: Checklist, header: list[str] = ()) -> str:
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_unicode = True
    yaml.width = 4096  # no folded lines: they would end in spaces, and a text is easier to edit on one line
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    for line in header:
        out.write(f"# {' '.join(line.split())}\n")  # a line break in it would end the comment
    yaml.dump(checklist_to_dict(checklist), out)
    return out.getvalue()
