"""Motion: landmark tracks compared over time (DTW), and following a teacher live (online DTW)."""
