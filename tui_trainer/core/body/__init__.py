"""One person's body in one frame: BlazePose landmarks, `Pose`, joint angles, bone directions,
smoothing over time and bending joints (for synthetic bodies and templates)."""
