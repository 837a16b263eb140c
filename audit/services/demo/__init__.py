"""The demo chain (``audit demo``): see ``chain`` for the model and the planted patterns."""
from .answers import DemoError
from .chain import build_demo_chain
from .summary import DemoSummary

__all__ = ["DemoError", "DemoSummary", "build_demo_chain"]
