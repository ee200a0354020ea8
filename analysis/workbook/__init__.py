"""The session-log workbook: its schema, guarded reading and validation, and writing."""
