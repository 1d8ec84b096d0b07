"""The demo trainee and synthetic bodies: a session to try without a camera, and test data."""
