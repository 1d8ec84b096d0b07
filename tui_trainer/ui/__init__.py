"""The Textual trainer app (routine list, live session, summary)."""
