"""Use cases. Services ``flush()``; the request or CLI command commits once."""
