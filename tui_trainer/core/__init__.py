"""The pure domain of tui-trainer (numpy only: no textual, cv2, mediapipe or sounddevice).

Sub-packages, lower ones first (each imports only from those before it):
  body        landmarks, Pose, angles, bones, filters
  comparison  seed metrics and trainer score of two poses
  library     pose and routine models and files, the library on disk, building poses
  history     step records and session summaries
  coaching    judging a frame, the coach, sessions and flows, voice cues
  motion      motion comparison (DTW) and following a teacher
  demo        the demo trainee and synthetic bodies
errors.py (one error family) and tomlcompat.py are shared by all.

pose.py, scoring.py and coach.py re-export the names code outside the repository imports from
their first homes (tui_trainer.core.pose.Pose, .scoring.compare, .coach.FrameScorer).
"""
