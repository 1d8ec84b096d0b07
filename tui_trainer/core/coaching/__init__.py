"""Coaching: judging a frame against a pose (variants, per-joint evidence, corrections), the
coach that smooths and decides PERFECT, the session through a routine (holds and flows), and
what the voice says."""
