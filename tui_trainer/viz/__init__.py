"""OpenCV drawing: pure functions (pose + image in, new image out).

Used by `compare --save-overlay`, `tui-trainer show`, the live preview window and video export.
"""
