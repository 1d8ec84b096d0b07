"""Pure numpy domain: landmarks, poses, angles, scoring, library, session logic.

Nothing in this package may import textual, cv2, mediapipe or sounddevice
(tests/test_layers.py enforces it), so the domain can be tested and reused anywhere.
"""
