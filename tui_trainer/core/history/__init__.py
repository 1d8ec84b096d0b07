"""What a session leaves behind: step records, the log protocol that stores them, and the
summaries the history screens and commands show."""
