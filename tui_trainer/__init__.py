"""tui-trainer: a home yoga trainer that runs in the terminal."""

__version__ = "0.1.0"
