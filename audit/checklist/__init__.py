"""Checklist definitions: format, validation, answers and content hashing (no Flask, no DB)."""
from .answers import InvalidAnswer, parse_answer
from .loader import (
    ChecklistError, ChecklistProblem, checklist_from_data, find_checklist_files,
    load_checklist_file, load_checklist_set, parse_checklist,
)
from .model import Checklist, Item, Section, Text, checklist_to_dict
from .versioning import content_hash

__all__ = [
    "Checklist", "ChecklistError", "ChecklistProblem", "InvalidAnswer", "Item", "Section", "Text",
    "checklist_from_data", "checklist_to_dict", "content_hash", "find_checklist_files",
    "load_checklist_file", "load_checklist_set", "parse_answer", "parse_checklist",
]
