"""One error family for everything a user can get wrong.

The CLI prints a TrainerError as one line and exits with code 2; anything else is a bug.
"""

from __future__ import annotations


class TrainerError(Exception):
    """A problem the user can fix (bad file, bad value, missing camera...)."""


class InputFileError(TrainerError):
    """A file given by the user is missing, unreadable or of the wrong kind."""


class NoPersonFound(TrainerError):
    """MediaPipe found no person in an image or video."""


class ModelUnavailable(TrainerError):
    """The requested MediaPipe model is not installed and cannot be downloaded here."""


class LibraryFileError(TrainerError):
    """A pose or routine file is broken."""


class SourceError(TrainerError):
    """A camera or video source could not be opened or stopped delivering frames."""


class SourceInterrupted(SourceError):
    """A live stream dropped and is reconnecting by itself: pause, and read again."""
