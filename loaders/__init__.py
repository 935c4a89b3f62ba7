"""Streaming loaders: read -> validate -> transform -> write; a library and CLI commands."""
