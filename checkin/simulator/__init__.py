"""The demo simulator: a realistic conference day played through the real stations."""
