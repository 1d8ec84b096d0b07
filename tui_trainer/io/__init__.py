"""The outside world: image/video/camera sources, the MediaPipe estimator, audio, storage.

Heavy imports (cv2, mediapipe, sounddevice) happen inside functions so the CLI starts fast.
"""
